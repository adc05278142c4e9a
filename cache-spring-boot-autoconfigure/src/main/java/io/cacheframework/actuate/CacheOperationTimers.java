package io.cacheframework.actuate;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheOperation;
import io.cacheframework.core.CacheOperationListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Feeds the timer {@code cache.backend.operation{cache=<alias>,backend=<name>,operation=get|set|...}} from a
 * backend's {@link CacheOperationListener}: how long each store operation took, failures included. Timers are
 * created on first use and then looked up by array index, so the cost per operation is two clock reads and a
 * timer update.
 *
 * @since 0.1.0
 */
public class CacheOperationTimers implements CacheOperationListener {

	/**
	 * The timer's name.
	 */
	public static final String METER_NAME = "cache.backend.operation";

	private static final CacheOperation[] OPERATIONS = CacheOperation.values();

	private final MeterRegistry registry;

	private final String alias;

	private final String backendName;

	private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(OPERATIONS.length);

	/**
	 * Create timers for one alias.
	 * @param registry the registry
	 * @param alias the alias (tag {@code cache})
	 * @param backendName the backend's name (tag {@code backend})
	 */
	public CacheOperationTimers(MeterRegistry registry, String alias, String backendName) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.alias = alias;
		this.backendName = backendName;
	}

	/**
	 * Time every operation of a backend.
	 * @param registry the registry
	 * @param backend the backend
	 */
	public static void instrument(MeterRegistry registry, AbstractCacheBackend backend) {
		backend.setOperationListener(new CacheOperationTimers(registry, backend.alias(), backend.backendName()));
	}

	@Override
	public void operationCompleted(CacheOperation operation, long nanos) {
		timer(operation).record(nanos, TimeUnit.NANOSECONDS);
	}

	private Timer timer(CacheOperation operation) {
		Timer timer = this.timers.get(operation.ordinal());
		if (timer == null) {
			// A race registers the same meter twice; the registry returns the one instance.
			timer = Timer.builder(METER_NAME)
				.description("Time a cache store operation took")
				.tag("cache", this.alias)
				.tag("backend", this.backendName)
				.tag("operation", operation.tagValue())
				.register(this.registry);
			this.timers.set(operation.ordinal(), timer);
		}
		return timer;
	}

}
