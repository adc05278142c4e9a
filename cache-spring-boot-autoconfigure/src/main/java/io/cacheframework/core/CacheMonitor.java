package io.cacheframework.core;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * What a cache reports about itself, in one place: the counters ({@link CacheStatistics}), the duration of each
 * store operation for an optional {@link CacheOperationListener}, and store failures, counted and logged (the first
 * at once, then at most one line every {@link LogRateLimiter#INTERVAL} with the number left out). Shared by a
 * backend and its version views.
 */
final class CacheMonitor {

	final CacheStatistics statistics = new CacheStatistics();

	private final CacheBackend cache;

	private final Log logger;

	private final Clock clock;

	private final LogRateLimiter failures = new LogRateLimiter();

	private final LogRateLimiter unreadable = new LogRateLimiter();

	private volatile @Nullable CacheOperationListener listener;

	/**
	 * @param cache the cache, for its alias and backend name in log lines
	 * @param logger the backend's logger
	 * @param clock the cache's clock, which paces the failure log
	 */
	CacheMonitor(CacheBackend cache, Log logger, Clock clock) {
		this.cache = cache;
		this.logger = logger;
		this.clock = clock;
	}

	void setListener(@Nullable CacheOperationListener listener) {
		this.listener = listener;
	}

	/**
	 * The start of a timed operation: {@code 0} when nobody listens, so that no clock is read.
	 */
	long start() {
		return (this.listener != null) ? System.nanoTime() : 0L;
	}

	void stop(CacheOperation operation, long start) {
		CacheOperationListener listener = this.listener;
		if (start != 0L && listener != null) {
			listener.operationCompleted(operation, System.nanoTime() - start);
		}
	}

	/**
	 * A call to a store.
	 * @param <R> its result
	 */
	@FunctionalInterface
	interface StoreCall<R> {

		R call();

	}

	/**
	 * The one guarded call around every store access: timed, and a {@link CacheAccessException} becomes
	 * {@code onFailure}, counted and logged.
	 */
	<R> R call(CacheOperation operation, R onFailure, StoreCall<R> call) {
		long start = start();
		try {
			return call.call();
		}
		catch (CacheAccessException ex) {
			failed(operation.tagValue(), ex);
			return onFailure;
		}
		finally {
			stop(operation, start);
		}
	}

	/**
	 * The asynchronous twin of {@link #call}: the future completes with {@code onFailure} for a
	 * {@link CacheAccessException}, and exceptionally only for other exceptions (the caller's mistakes).
	 */
	<R> CompletableFuture<R> callAsync(CacheOperation operation, R onFailure, Supplier<CompletableFuture<R>> call) {
		long start = start();
		CompletableFuture<R> future;
		try {
			future = call.get();
		}
		catch (RuntimeException ex) {
			future = CompletableFuture.failedFuture(ex);
		}
		CompletableFuture<R> result = new CompletableFuture<>();
		future.whenComplete((value, failure) -> {
			stop(operation, start);
			Throwable cause = (failure != null) ? SingleFlight.unwrap(failure) : null;
			if (cause == null) {
				result.complete(value);
			}
			else if (cause instanceof CacheAccessException ex) {
				failed(operation.tagValue(), ex);
				result.complete(onFailure);
			}
			else {
				result.completeExceptionally(cause);
			}
		});
		return result;
	}

	/**
	 * A store access failed; the caller goes on without the cache.
	 */
	void failed(String operation, Exception ex) {
		this.statistics.recordError();
		long suppressed = this.failures.record(this.clock.millis());
		if (suppressed >= 0) {
			this.logger.warn("Cache '" + this.cache.alias() + "' (" + this.cache.backendName() + ") " + operation
					+ " failed, continuing without the cache"
					+ LogRateLimiter.suppressedNote(suppressed) + ": "
					+ ex.getMessage(), this.logger.isDebugEnabled() ? ex : null);
		}
		else if (this.logger.isDebugEnabled()) {
			this.logger.debug("Cache '" + this.cache.alias() + "' " + operation + " failed", ex);
		}
	}

	/**
	 * A stored entry could not be read back (corrupt, or refused by a filter): a miss, counted and logged like a
	 * failure (so that a store full of foreign entries cannot flood the log).
	 */
	void unreadable(String key, Exception ex) {
		this.statistics.recordError();
		long suppressed = this.unreadable.record(this.clock.millis());
		if (suppressed >= 0) {
			this.logger.warn("Cache '" + this.cache.alias() + "' ignored an unreadable entry for key "
					+ CacheKeys.repr(key) + ((suppressed > 0) ? " (" + suppressed + " more not logged)" : "") + ": "
					+ ex.getMessage());
		}
	}

}
