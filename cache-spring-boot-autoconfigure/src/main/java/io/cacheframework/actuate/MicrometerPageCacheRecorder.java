package io.cacheframework.actuate;

import io.cacheframework.web.PageCacheRecorder;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts page cache lookups (site-wide and per-view) as {@code cache.page.gets{cache,result}}, {@code result} being
 * {@code hit} or {@code miss}.
 *
 * @since 0.1.0
 */
public class MicrometerPageCacheRecorder implements PageCacheRecorder {

	private final LookupCounters counters;

	/**
	 * Create a recorder.
	 * @param registry the registry
	 */
	public MicrometerPageCacheRecorder(MeterRegistry registry) {
		this.counters = new LookupCounters(registry, "page");
	}

	@Override
	public void record(String alias, boolean hit) {
		this.counters.record(alias, hit);
	}

}
