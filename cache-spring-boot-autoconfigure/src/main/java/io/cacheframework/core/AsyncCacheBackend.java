package io.cacheframework.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The asynchronous twin of a {@link CacheBackend}, over the same store: Django's {@code aget}, {@code aset}, ...
 * Every operation has the blocking operation's name and arguments and returns a {@link CompletableFuture}.
 *
 * <p>Failures follow the blocking rules: an outage completes the future normally, as a miss or a failed write,
 * within the backend's timeout, never exceptionally; a bad key or a value that cannot be stored fails the future
 * with the exception the blocking call throws ({@link InvalidCacheKeyException},
 * {@link ValueNotStorableException}, {@link java.util.NoSuchElementException} for a missing counter).
 *
 * <p>Where the work runs: on memcached and Redis the clients' own futures (no thread waits for a reply); locmem
 * and dummy complete in the caller; the database and the file system run on one bounded executor per application,
 * whose rejection of a call is a miss or a failed write.
 *
 * @since 0.1.0
 * @see CacheBackend#async()
 */
public interface AsyncCacheBackend {

	/**
	 * The alias of the cache.
	 * @return the alias
	 */
	String alias();

	/**
	 * Django's {@code aget(key)}.
	 * @param key the caller's key
	 * @return the value, {@code null} on a miss
	 */
	default CompletableFuture<@Nullable Object> get(String key) {
		return getOrDefault(key, null);
	}

	/**
	 * Fetch a value of a known type.
	 * @param key the caller's key
	 * @param type the expected type
	 * @param <T> the expected type
	 * @return the value, {@code null} on a miss; fails with {@link IllegalStateException} if it is not a {@code T}
	 */
	default <T> CompletableFuture<@Nullable T> get(String key, Class<T> type) {
		return get(key).thenApply((value) -> CacheBackend.checkType(key, value, type));
	}

	/**
	 * Django's {@code aget(key, default)}.
	 * @param key the caller's key
	 * @param defaultValue completed with on a miss
	 * @param <T> the value type
	 * @return the value or {@code defaultValue}
	 */
	<T> CompletableFuture<@Nullable T> getOrDefault(String key, @Nullable T defaultValue);

	/**
	 * Django's {@code aset(key, value)}, with the default timeout.
	 * @param key the caller's key
	 * @param value the value
	 * @return completes when stored (or when the write failed)
	 */
	default CompletableFuture<@Nullable Void> set(String key, @Nullable Object value) {
		return set(key, value, Timeout.DEFAULT);
	}

	/**
	 * Django's {@code aset(key, value, timeout)}.
	 * @param key the caller's key
	 * @param value the value
	 * @param timeout how long to keep it
	 * @return completes when stored (or when the write failed)
	 */
	CompletableFuture<@Nullable Void> set(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Django's {@code aadd}.
	 * @param key the caller's key
	 * @param value the value
	 * @return whether it was stored
	 */
	default CompletableFuture<Boolean> add(String key, @Nullable Object value) {
		return add(key, value, Timeout.DEFAULT);
	}

	/**
	 * Django's {@code aadd} with a timeout.
	 * @param key the caller's key
	 * @param value the value
	 * @param timeout how long to keep it
	 * @return whether it was stored
	 */
	CompletableFuture<Boolean> add(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Django's {@code aget_or_set}: the cached value, or the supplier's, which runs only on a miss and only once at
	 * a time per key in this JVM, sharing one load with the blocking {@link CacheBackend#getOrSet}.
	 * @param key the caller's key
	 * @param supplier starts computing the value on a miss
	 * @param <T> the value type
	 * @return the cached or computed value; fails with the supplier's failure
	 */
	default <T> CompletableFuture<@Nullable T> getOrSet(String key,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier) {
		return getOrSet(key, supplier, Timeout.DEFAULT);
	}

	/**
	 * Django's {@code aget_or_set} with a timeout for a computed value.
	 * @param key the caller's key
	 * @param supplier starts computing the value on a miss
	 * @param timeout how long to keep a computed value
	 * @param <T> the value type
	 * @return the cached or computed value
	 */
	<T> CompletableFuture<@Nullable T> getOrSet(String key,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier, Timeout timeout);

	/**
	 * Django's {@code atouch} with the default timeout.
	 * @param key the caller's key
	 * @return whether the key exists
	 */
	default CompletableFuture<Boolean> touch(String key) {
		return touch(key, Timeout.DEFAULT);
	}

	/**
	 * Django's {@code atouch}.
	 * @param key the caller's key
	 * @param timeout the new timeout
	 * @return whether the key exists
	 */
	CompletableFuture<Boolean> touch(String key, Timeout timeout);

	/**
	 * Django's {@code adelete}.
	 * @param key the caller's key
	 * @return whether something was deleted
	 */
	CompletableFuture<Boolean> delete(String key);

	/**
	 * Django's {@code ahas_key}.
	 * @param key the caller's key
	 * @return whether the key is present
	 */
	CompletableFuture<Boolean> hasKey(String key);

	/**
	 * Django's {@code aget_many}.
	 * @param keys the caller's keys
	 * @return only the hits, keyed by the caller's keys
	 */
	CompletableFuture<Map<String, @Nullable Object>> getMany(Collection<String> keys);

	/**
	 * Django's {@code aset_many} with the default timeout.
	 * @param values keys and values
	 * @return the caller's keys that could not be stored
	 */
	default CompletableFuture<List<String>> setMany(Map<String, ?> values) {
		return setMany(values, Timeout.DEFAULT);
	}

	/**
	 * Django's {@code aset_many}.
	 * @param values keys and values
	 * @param timeout how long to keep them
	 * @return the caller's keys that could not be stored
	 */
	CompletableFuture<List<String>> setMany(Map<String, ?> values, Timeout timeout);

	/**
	 * Django's {@code adelete_many}.
	 * @param keys the caller's keys
	 * @return completes when done
	 */
	CompletableFuture<@Nullable Void> deleteMany(Collection<String> keys);

	/**
	 * Django's {@code aincr}.
	 * @param key the caller's key
	 * @return the new value; fails with {@link java.util.NoSuchElementException} if the key is missing
	 */
	default CompletableFuture<Long> incr(String key) {
		return incr(key, 1);
	}

	/**
	 * Django's {@code aincr(key, delta)}.
	 * @param key the caller's key
	 * @param delta the amount
	 * @return the new value
	 */
	CompletableFuture<Long> incr(String key, long delta);

	/**
	 * Django's {@code adecr}.
	 * @param key the caller's key
	 * @return the new value
	 */
	default CompletableFuture<Long> decr(String key) {
		return incr(key, -1);
	}

	/**
	 * Django's {@code adecr(key, delta)}.
	 * @param key the caller's key
	 * @param delta the amount
	 * @return the new value
	 */
	default CompletableFuture<Long> decr(String key, long delta) {
		return incr(key, -delta);
	}

	/**
	 * Django's {@code aincr_version}.
	 * @param key the caller's key
	 * @return the new version
	 */
	default CompletableFuture<Integer> incrVersion(String key) {
		return incrVersion(key, 1);
	}

	/**
	 * Django's {@code aincr_version(key, delta)}.
	 * @param key the caller's key
	 * @param delta how many versions
	 * @return the new version
	 */
	CompletableFuture<Integer> incrVersion(String key, int delta);

	/**
	 * Django's {@code adecr_version}.
	 * @param key the caller's key
	 * @return the new version
	 */
	default CompletableFuture<Integer> decrVersion(String key) {
		return incrVersion(key, -1);
	}

	/**
	 * Django's {@code adecr_version(key, delta)}.
	 * @param key the caller's key
	 * @param delta how many versions
	 * @return the new version
	 */
	default CompletableFuture<Integer> decrVersion(String key, int delta) {
		return incrVersion(key, -delta);
	}

	/**
	 * Django's {@code aclear}.
	 * @return completes when done
	 */
	CompletableFuture<@Nullable Void> clear();

}
