package io.cacheframework.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One configured cache: Django's {@code BaseCache}, what {@code caches['alias']} returns.
 *
 * <p>Every method takes the caller's key; the backend makes the stored key from it with the cache's key prefix,
 * version and key function ({@link #makeKey(String)}) and validates it the way Django does: most backends log a
 * {@code CacheKeyWarning} for a key that memcached would refuse, the memcached backend throws
 * {@link InvalidCacheKeyException} before any I/O.
 *
 * <p>A cache is lossy by design. A backend that cannot reach its store treats the call as a miss (reads return
 * nothing, writes report failure) and never throws for an outage; the exceptions documented below are about the
 * caller's input. Implementations are thread-safe.
 *
 * @since 0.1.0
 * @see Caches
 */
public interface CacheBackend extends AutoCloseable {

	/**
	 * The alias this cache is configured under, e.g. {@code "default"}.
	 * @return the alias
	 */
	String alias();

	/**
	 * Fetch a value.
	 * @param key the caller's key
	 * @return the value, or {@code null} on a miss (and for a stored {@code null})
	 */
	@Nullable Object get(String key);

	/**
	 * Fetch a value of a known type.
	 * @param key the caller's key
	 * @param type the expected type
	 * @param <T> the expected type
	 * @return the value, or {@code null} on a miss
	 * @throws IllegalStateException if the stored value is not a {@code T}
	 */
	<T> @Nullable T get(String key, Class<T> type);

	/**
	 * Django's {@code get(key, default)}: a stored {@code null} is returned as {@code null}, not as the default.
	 * @param key the caller's key
	 * @param defaultValue returned on a miss
	 * @param <T> the value type
	 * @return the value or {@code defaultValue}
	 */
	<T> @Nullable T getOrDefault(String key, @Nullable T defaultValue);

	/**
	 * Store a value with the cache's default timeout.
	 * @param key the caller's key
	 * @param value the value; {@code null} is stored as a value
	 * @throws io.cacheframework.core.ValueNotStorableException if the value cannot be serialized (nothing is
	 * stored)
	 */
	void set(String key, @Nullable Object value);

	/**
	 * Store a value.
	 * @param key the caller's key
	 * @param value the value
	 * @param timeout how long to keep it; {@link Timeout#seconds(long) 0 or less} stores nothing that can be read
	 */
	void set(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Store a value only if the key is absent (an expired entry counts as absent).
	 * @param key the caller's key
	 * @param value the value
	 * @return {@code false} if the key exists and has not expired
	 */
	boolean add(String key, @Nullable Object value);

	/**
	 * Store a value only if the key is absent.
	 * @param key the caller's key
	 * @param value the value
	 * @param timeout how long to keep it
	 * @return {@code false} if the key exists and has not expired
	 */
	boolean add(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Return the cached value, or compute it with {@code supplier}, store it and return it. The supplier runs only on
	 * a miss, and only once at a time per key within this JVM: concurrent callers for the same key wait for it. If it
	 * throws, that exception reaches its caller and every caller waiting for it at that moment, and nothing is
	 * stored; a later call runs the supplier again.
	 * @param key the caller's key
	 * @param supplier computes the value on a miss
	 * @param <T> the value type
	 * @return the cached or computed value
	 */
	<T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier);

	/**
	 * Like {@link #getOrSet(String, Supplier)} with an explicit timeout for a computed value.
	 * @param key the caller's key
	 * @param supplier computes the value on a miss
	 * @param timeout how long to keep a computed value
	 * @param <T> the value type
	 * @return the cached or computed value
	 */
	<T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout);

	/**
	 * Reset a key's expiry to the cache's default timeout (Django: {@code touch} without a timeout).
	 * @param key the caller's key
	 * @return {@code true} if the key exists
	 */
	boolean touch(String key);

	/**
	 * Set a new expiry on a key.
	 * @param key the caller's key
	 * @param timeout the new timeout
	 * @return {@code true} if the key exists
	 */
	boolean touch(String key, Timeout timeout);

	/**
	 * Remove a key.
	 * @param key the caller's key
	 * @return {@code true} if something was deleted
	 */
	boolean delete(String key);

	/**
	 * Whether the key is present and not expired ({@code true} for a stored {@code null}).
	 * @param key the caller's key
	 * @return whether the key is present
	 */
	boolean hasKey(String key);

	/**
	 * Fetch many keys at once.
	 * @param keys the caller's keys
	 * @return only the hits (stored {@code null}s included), keyed by the caller's keys
	 */
	Map<String, @Nullable Object> getMany(Collection<String> keys);

	/**
	 * Store many values with the default timeout.
	 * @param values keys and values
	 * @return the caller's keys that could not be stored (empty on success)
	 */
	List<String> setMany(Map<String, ?> values);

	/**
	 * Store many values.
	 * @param values keys and values
	 * @param timeout how long to keep them
	 * @return the caller's keys that could not be stored (empty on success)
	 */
	List<String> setMany(Map<String, ?> values, Timeout timeout);

	/**
	 * Remove many keys.
	 * @param keys the caller's keys
	 */
	void deleteMany(Collection<String> keys);

	/**
	 * Add 1 to a stored number.
	 * @param key the caller's key
	 * @return the new value
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	long incr(String key);

	/**
	 * Add {@code delta} to a stored number, keeping its type ({@code Integer} stays {@code Integer} while it fits).
	 * @param key the caller's key
	 * @param delta the amount to add (may be negative)
	 * @return the new value
	 * @throws java.util.NoSuchElementException if the key is missing
	 * @throws IllegalStateException if the stored value is not a number
	 */
	long incr(String key, long delta);

	/**
	 * Subtract 1 from a stored number.
	 * @param key the caller's key
	 * @return the new value
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	long decr(String key);

	/**
	 * Subtract {@code delta} from a stored number.
	 * @param key the caller's key
	 * @param delta the amount to subtract
	 * @return the new value
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	long decr(String key, long delta);

	/**
	 * Move a key's value to the next version (the entry gets the default timeout, as in Django).
	 * @param key the caller's key
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	int incrVersion(String key);

	/**
	 * Move a key's value {@code delta} versions up.
	 * @param key the caller's key
	 * @param delta how many versions
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	int incrVersion(String key, int delta);

	/**
	 * Move a key's value to the previous version.
	 * @param key the caller's key
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	int decrVersion(String key);

	/**
	 * Move a key's value {@code delta} versions down.
	 * @param key the caller's key
	 * @param delta how many versions
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	int decrVersion(String key, int delta);

	/**
	 * Remove everything in this cache. On memcached this is {@code flush_all}: the whole server, whatever the key
	 * prefix, as in Django.
	 */
	void clear();

	/**
	 * A view of the same store that reads and writes another version by default (Django's {@code version=}
	 * argument).
	 * @param version the version
	 * @return a view; closing it does not close this cache
	 */
	CacheBackend withVersion(int version);

	/**
	 * The full stored key for a caller's key, e.g. {@code ":1:username"}.
	 * @param key the caller's key
	 * @return the made key
	 */
	String makeKey(String key);

	/**
	 * Release the backend's resources (connections, threads). Idempotent.
	 */
	@Override
	void close();

}
