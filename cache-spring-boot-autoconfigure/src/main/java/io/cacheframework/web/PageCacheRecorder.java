package io.cacheframework.web;

/**
 * Told of every page cache lookup (site-wide and per-view caching), so that hits and misses can be counted apart
 * from the backend's own statistics. With Micrometer on the classpath the Actuator auto-configuration provides one
 * that feeds the counter {@code cache.page.gets{cache,result}}.
 *
 * @since 0.1.0
 * @see PageCache.Builder#recorder(PageCacheRecorder)
 */
@FunctionalInterface
public interface PageCacheRecorder {

	/**
	 * Records nothing.
	 */
	PageCacheRecorder NONE = (alias, hit) -> {
	};

	/**
	 * Record one lookup. Must be cheap and never throw.
	 * @param alias the cache alias the page cache used
	 * @param hit whether a cached page was served
	 */
	void record(String alias, boolean hit);

}
