package io.cacheframework.actuate;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The counters {@code cache.<layer>.gets{cache,result}} of one caching layer ({@code result} = {@code hit} or
 * {@code miss}), the shape of Micrometer's {@code cache.gets}; each registered on first use.
 */
final class LookupCounters {

	private final MeterRegistry registry;

	private final String layer;

	private final ConcurrentHashMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

	/**
	 * @param registry the registry
	 * @param layer the layer, {@code page} or {@code fragment}
	 */
	LookupCounters(MeterRegistry registry, String layer) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.layer = layer;
	}

	void record(String alias, boolean hit) {
		this.counters.computeIfAbsent(new CounterKey(alias, hit), this::register).increment();
	}

	private Counter register(CounterKey key) {
		return Counter.builder("cache." + this.layer + ".gets")
			.description("Lookups in the " + this.layer + " cache")
			.tag("cache", key.alias())
			.tag("result", key.hit() ? "hit" : "miss")
			.register(this.registry);
	}

	private record CounterKey(String alias, boolean hit) {
	}

}
