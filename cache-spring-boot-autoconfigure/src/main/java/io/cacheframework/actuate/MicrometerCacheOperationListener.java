package io.cacheframework.actuate;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheOperation;
import io.cacheframework.core.CacheOperationListener;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Feeds the timer {@code cache.backend.operation{cache=<alias>,backend=<name>,operation=get|set|...}} from a
 * backend's {@link CacheOperationListener}: how many store operations ran and how long they took in total,
 * failures included.
 *
 * <p>It is a Micrometer {@link FunctionTimer} over two {@link LongAdder}s per operation rather than a
 * {@code Timer}: recording is then two uncontended additions, cheap enough for the local-memory backend, whose
 * operations take well under a microsecond (a full {@code Timer} also reads the wall clock and updates a decaying
 * maximum on every call). The price is no maximum and no histogram: the mean latency ({@code total / count}) and
 * the rate are what it reports.
 *
 * @since 0.1.0
 */
public class MicrometerCacheOperationListener implements CacheOperationListener {

	/**
	 * The timer's name.
	 */
	public static final String METER_NAME = "cache.backend.operation";

	private static final CacheOperation[] OPERATIONS = CacheOperation.values();

	private final MeterRegistry registry;

	private final String alias;

	private final String backendName;

	private final LongAdder[] counts = new LongAdder[OPERATIONS.length];

	private final LongAdder[] totalNanos = new LongAdder[OPERATIONS.length];

	// Written once per operation type; a racing first call registers twice, which the registry deduplicates.
	private final boolean[] registered = new boolean[OPERATIONS.length];

	/**
	 * Create timers for one alias.
	 * @param registry the registry
	 * @param alias the alias (tag {@code cache})
	 * @param backendName the backend's name (tag {@code backend})
	 */
	public MicrometerCacheOperationListener(MeterRegistry registry, String alias, String backendName) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.alias = alias;
		this.backendName = backendName;
		for (int i = 0; i < OPERATIONS.length; i++) {
			this.counts[i] = new LongAdder();
			this.totalNanos[i] = new LongAdder();
		}
	}

	/**
	 * Time every operation of a backend.
	 * @param registry the registry
	 * @param backend the backend
	 */
	public static void instrument(MeterRegistry registry, CacheBackend backend) {
		backend.setOperationListener(
				new MicrometerCacheOperationListener(registry, backend.alias(), backend.backendName()));
	}

	@Override
	public void operationCompleted(CacheOperation operation, long nanos) {
		int index = operation.ordinal();
		this.counts[index].increment();
		this.totalNanos[index].add(nanos);
		if (!this.registered[index]) {
			register(operation);
			this.registered[index] = true;
		}
	}

	private void register(CacheOperation operation) {
		int index = operation.ordinal();
		FunctionTimer.builder(METER_NAME, this, (timers) -> timers.counts[index].sum(),
				(timers) -> timers.totalNanos[index].sum(), TimeUnit.NANOSECONDS)
			.description("Cache store operations and the time they took")
			.tag("cache", this.alias)
			.tag("backend", this.backendName)
			.tag("operation", operation.tagValue())
			.register(this.registry);
	}

}
