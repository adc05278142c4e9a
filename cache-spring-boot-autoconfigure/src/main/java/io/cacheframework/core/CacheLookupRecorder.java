package io.cacheframework.core;

/**
 * Counts hits and misses of a caching layer built on a backend, so that they can be reported apart from the
 * backend's own statistics: the page cache ({@link #PAGE}) and the template fragment cache ({@link #FRAGMENT}).
 * With Micrometer on the classpath the Actuator auto-configuration provides a bean that feeds the counters
 * {@code cache.page.gets{cache,result}} and {@code cache.fragment.gets{cache,result}}; layers look it up with
 * {@code ObjectProvider<CacheLookupRecorder>.getIfAvailable(() -> CacheLookupRecorder.NONE)}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface CacheLookupRecorder {

	/**
	 * The page cache layer (site-wide and per-view caching).
	 */
	String PAGE = "page";

	/**
	 * The template fragment cache layer.
	 */
	String FRAGMENT = "fragment";

	/**
	 * Records nothing.
	 */
	CacheLookupRecorder NONE = (layer, alias, hit) -> {
	};

	/**
	 * Record one lookup. Must be cheap and never throw.
	 * @param layer the layer, {@link #PAGE} or {@link #FRAGMENT}
	 * @param alias the cache alias the layer used
	 * @param hit whether a cached response or fragment was served
	 */
	void record(String layer, String alias, boolean hit);

}
