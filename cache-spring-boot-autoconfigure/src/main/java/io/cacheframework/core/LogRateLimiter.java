package io.cacheframework.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which of a stream of similar failures gets a log line: the first one at once, then at most one every
 * {@link #INTERVAL}, each logged line carrying how many failures were left out since the previous one. The one
 * limiter of the library: store failures and unreadable entries (every backend), the page cache, template fragments
 * and Spring's {@code @Cacheable} error handler all log through one each, with the same interval. Lock-free and
 * thread-safe; time is whatever clock the caller passes (a backend passes its cache's clock).
 *
 * <pre class="code">
 * long suppressed = this.limiter.record(clock.millis());
 * if (suppressed >= 0) {
 *     logger.warn("... failed" + LogRateLimiter.suppressedNote(suppressed));
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class LogRateLimiter {

	/**
	 * The least time between two logged lines of one limiter: ten seconds.
	 */
	public static final Duration INTERVAL = Duration.ofSeconds(10);

	/**
	 * "Nothing logged yet": compared for equality, never subtracted from (subtracting it overflows, which is how a
	 * limiter that started at {@code Long.MIN_VALUE} never logged anything).
	 */
	private static final long NEVER = Long.MIN_VALUE;

	private final long intervalMillis;

	private final AtomicLong lastLogged = new AtomicLong(NEVER);

	private final AtomicLong suppressed = new AtomicLong();

	/**
	 * Create a limiter that logs at most one line every {@link #INTERVAL}.
	 */
	public LogRateLimiter() {
		this.intervalMillis = INTERVAL.toMillis();
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

	/**
	 * The end of a logged line that says how many failures were left out: empty for none, else
	 * {@code " (N similar failures not logged)"}.
	 * @param suppressed what {@link #record(long)} returned
	 * @return the note
	 */
	public static String suppressedNote(long suppressed) {
		return (suppressed > 0) ? " (" + suppressed + " similar failures not logged)" : "";
	}

}
