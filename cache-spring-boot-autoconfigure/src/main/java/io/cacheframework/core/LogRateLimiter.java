package io.cacheframework.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which of a stream of similar failures gets a log line: the first one at once, then at most one per
 * interval, each logged line carrying how many failures were left out since the previous one. Lock-free and
 * thread-safe; time is whatever clock the caller passes (a backend passes its cache's clock).
 *
 * <pre class="code">
 * long suppressed = this.limiter.record(clock.millis());
 * if (suppressed >= 0) {
 *     logger.warn("... failed" + ((suppressed > 0) ? " (" + suppressed + " similar failures not logged)" : ""));
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class LogRateLimiter {

	/**
	 * "Nothing logged yet": compared for equality, never subtracted from (subtracting it overflows, which is how a
	 * limiter that started at {@code Long.MIN_VALUE} never logged anything).
	 */
	private static final long NEVER = Long.MIN_VALUE;

	private final long intervalMillis;

	private final AtomicLong lastLogged = new AtomicLong(NEVER);

	private final AtomicLong suppressed = new AtomicLong();

	/**
	 * Create a limiter.
	 * @param interval the least time between two logged failures
	 */
	public LogRateLimiter(Duration interval) {
		this.intervalMillis = interval.toMillis();
	}

	/**
	 * Record a failure.
	 * @param nowMillis the current time in milliseconds
	 * @return {@code -1} if this failure must not be logged (it is counted instead), otherwise the number of
	 * failures not logged since the previous logged one
	 */
	public long record(long nowMillis) {
		long last = this.lastLogged.get();
		// A clock that went backwards (now < last) also allows a line, so a reset clock cannot silence the log.
		boolean due = last == NEVER || nowMillis - last >= this.intervalMillis || nowMillis < last;
		if (due && this.lastLogged.compareAndSet(last, (nowMillis != NEVER) ? nowMillis : NEVER + 1)) {
			return this.suppressed.getAndSet(0);
		}
		this.suppressed.incrementAndGet();
		return -1;
	}

}
