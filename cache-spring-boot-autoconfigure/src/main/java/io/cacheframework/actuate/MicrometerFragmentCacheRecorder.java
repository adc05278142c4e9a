package io.cacheframework.actuate;

import io.cacheframework.thymeleaf.FragmentCacheRecorder;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts {@code cache:fragment} lookups as {@code cache.fragment.gets{cache,result}}, {@code result} being
 * {@code hit} or {@code miss}.
 *
 * @since 0.1.0
 */
public class MicrometerFragmentCacheRecorder implements FragmentCacheRecorder {

	private final LookupCounters counters;

	/**
	 * Create a recorder.
	 * @param registry the registry
	 */
	public MicrometerFragmentCacheRecorder(MeterRegistry registry) {
		this.counters = new LookupCounters(registry, "fragment");
	}

	@Override
	public void record(String alias, boolean hit) {
		this.counters.record(alias, hit);
	}

}
