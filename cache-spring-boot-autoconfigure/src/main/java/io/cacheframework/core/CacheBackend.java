package io.cacheframework.core;

import java.lang.invoke.MethodType;
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
	default @Nullable Object get(String key) {
		return getOrDefault(key, null);
	}

	/**
	 * Fetch a value of a known type.
	 * @param key the caller's key
	 * @param type the expected type
	 * @param <T> the expected type
	 * @return the value, or {@code null} on a miss
	 * @throws IllegalStateException if the stored value is not a {@code T}
	 */
	default <T> @Nullable T get(String key, Class<T> type) {
		return checkType(key, get(key), type);
	}

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
	default void set(String key, @Nullable Object value) {
		set(key, value, Timeout.DEFAULT);
	}

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
	default boolean add(String key, @Nullable Object value) {
		return add(key, value, Timeout.DEFAULT);
	}

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
	default <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier) {
		return getOrSet(key, supplier, Timeout.DEFAULT);
	}

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
	default boolean touch(String key) {
		return touch(key, Timeout.DEFAULT);
	}

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
	default List<String> setMany(Map<String, ?> values) {
		return setMany(values, Timeout.DEFAULT);
	}

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
	default long incr(String key) {
		return incr(key, 1);
	}

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
	default long decr(String key) {
		return incr(key, -1);
	}

	/**
	 * Subtract {@code delta} from a stored number.
	 * @param key the caller's key
	 * @param delta the amount to subtract
	 * @return the new value
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	default long decr(String key, long delta) {
		return incr(key, -delta);
	}

	/**
	 * Move a key's value to the next version (the entry gets the default timeout, as in Django).
	 * @param key the caller's key
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	default int incrVersion(String key) {
		return incrVersion(key, 1);
	}

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
	default int decrVersion(String key) {
		return incrVersion(key, -1);
	}

	/**
	 * Move a key's value {@code delta} versions down.
	 * @param key the caller's key
	 * @param delta how many versions
	 * @return the new version
	 * @throws java.util.NoSuchElementException if the key is missing
	 */
	default int decrVersion(String key, int delta) {
		return incrVersion(key, -delta);
	}

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
	 * The asynchronous twin of this cache over the same store (Django's {@code aget}, {@code aset}, ...). The
	 * default, for a backend that only implements {@code CacheBackend}, runs each blocking call on its settings'
	 * bounded executor ({@link CacheSettings#executor()}).
	 * @return the asynchronous view
	 */
	default AsyncCacheBackend async() {
		return new BlockingAsyncCacheBackend(this, settings().executor());
	}

	/**
	 * Check that a cached value has the expected type.
	 * @param key the caller's key, for the message
	 * @param value the value
	 * @param type the expected type
	 * @param <T> the expected type
	 * @return the value as a {@code T}
	 * @throws IllegalStateException if it is not a {@code T}
	 */
	static <T> @Nullable T checkType(String key, @Nullable Object value, Class<T> type) {
		if (value == null) {
			return null;
		}
		Class<?> boxed = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
		if (!boxed.isInstance(value)) {
			throw new IllegalStateException("Value of key '" + key + "' is a " + value.getClass().getName()
					+ ", not a " + type.getName());
		}
		@SuppressWarnings("unchecked")
		T result = (T) value;
		return result;
	}

	// ---------------------------------------------------------------- for operators (endpoint, health, metrics)

	/**
	 * The backend's short name as configured, e.g. {@code "locmem"} or {@code "memcached"}. The default is the class
	 * name.
	 * @return the name
	 */
	default String backendName() {
		return getClass().getName();
	}

	/**
	 * The settings this cache was built with: location, default timeout, key prefix, version and so on. The default
	 * knows only the alias; backends built from {@link CacheSettings} return those.
	 * @return the settings
	 */
	default CacheSettings settings() {
		return CacheSettings.builder(alias()).build();
	}

	/**
	 * Live counters of this cache, shared by its {@link #withVersion(int) version views}. The default, for a backend
	 * that keeps none, is empty statistics: the auto-configuration wraps such a backend in a
	 * {@link MonitoredCacheBackend}, which counts and times it.
	 * @return the statistics
	 */
	default CacheStatistics statistics() {
		return new CacheStatistics();
	}

	/**
	 * Report the duration of every store operation from now on (e.g. to Micrometer timers); {@code null} stops it.
	 * The default ignores the listener (see {@link #statistics()}).
	 * @param listener the listener, or {@code null}
	 */
	default void setOperationListener(@Nullable CacheOperationListener listener) {
	}

	/**
	 * What operators may look into: keys, counts, and each component's health. The default is this backend if it
	 * implements {@link CacheInspection}, else {@code null}.
	 * @return the inspection, or {@code null} if this backend cannot be inspected
	 */
	default @Nullable CacheInspection inspection() {
		return (this instanceof CacheInspection inspection) ? inspection : null;
	}

	/**
	 * Release the backend's resources (connections, threads). Idempotent.
	 */
	@Override
	void close();

}
