package io.cacheframework.actuate;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.cacheframework.core.CacheLookupRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts page cache and fragment cache lookups as {@code cache.page.gets{cache,result}} and
 * {@code cache.fragment.gets{cache,result}} ({@code result} = {@code hit} or {@code miss}), the shape of Micrometer's
 * {@code cache.gets}.
 *
 * @since 0.1.0
 */
public class MicrometerCacheLookupRecorder implements CacheLookupRecorder {

	private final MeterRegistry registry;

	private final ConcurrentHashMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

	/**
	 * Create a recorder.
	 * @param registry the registry
	 */
	public MicrometerCacheLookupRecorder(MeterRegistry registry) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
	}

	@Override
	public void record(String layer, String alias, boolean hit) {
		this.counters.computeIfAbsent(new CounterKey(layer, alias, hit), this::register).increment();
	}

	private Counter register(CounterKey key) {
		return Counter.builder("cache." + key.layer() + ".gets")
			.description("Lookups in the " + key.layer() + " cache")
			.tag("cache", key.alias())
			.tag("result", key.hit() ? "hit" : "miss")
			.register(this.registry);
	}

	private record CounterKey(String layer, String alias, boolean hit) {
	}

}
