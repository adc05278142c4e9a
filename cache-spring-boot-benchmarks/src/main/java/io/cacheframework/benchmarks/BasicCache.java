package io.cacheframework.benchmarks;

import java.util.List;
import java.util.Map;

/**
 * The smallest common face of the caches under benchmark (after Caffeine's {@code BasicCache}), so that each
 * benchmark method is written once and the implementation is a JMH parameter.
 *
 * @see CacheType
 */
interface BasicCache {

	/**
	 * Read a key.
	 * @param key the key
	 * @return the value, or {@code null} on a miss
	 */
	Object get(String key);

	/**
	 * Store a value.
	 * @param key the key
	 * @param value the value
	 */
	void put(String key, String value);

	/**
	 * Read many keys with the implementation's bulk read, or a loop where it has none.
	 * @param keys the keys
	 * @return the hits by key
	 */
	Map<String, ?> getMany(List<String> keys);

	/**
	 * Release the cache.
	 */
	default void close() {
	}

}
