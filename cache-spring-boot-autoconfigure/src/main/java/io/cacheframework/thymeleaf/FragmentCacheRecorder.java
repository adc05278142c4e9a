package io.cacheframework.thymeleaf;

/**
 * Told of every {@code cache:fragment} lookup, so that hits and misses can be counted apart from the backend's own
 * statistics. With Micrometer on the classpath the Actuator auto-configuration provides one that feeds the counter
 * {@code cache.fragment.gets{cache,result}}.
 *
 * @since 0.1.0
 * @see CacheDialect#CacheDialect(io.cacheframework.core.Caches, String, FragmentCacheRecorder)
 */
@FunctionalInterface
public interface FragmentCacheRecorder {

	/**
	 * Records nothing.
	 */
	FragmentCacheRecorder NONE = (alias, hit) -> {
	};

	/**
	 * Record one lookup. Must be cheap and never throw.
	 * @param alias the cache alias the fragment was looked up in
	 * @param hit whether the stored fragment was written
	 */
	void record(String alias, boolean hit);

}
