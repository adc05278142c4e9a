package io.cacheframework.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A circuit breaker for a store that can hang or go away: after {@code threshold} failures in a row (timeouts,
 * refused connections: whatever the backend counts as "not answering") it <em>opens</em> for {@code openTime},
 * during which calls are refused at once instead of each waiting out its timeout. When that time is over, one call
 * is let through as a trial: its success closes the breaker, its failure opens it again for another
 * {@code openTime}. Every other call is refused while the trial runs.
 *
 * <p>This is an SPI for backends, not part of the cache API: a backend asks {@link #tryAcquire()} before touching
 * its store, turns a refusal into a miss (or a failed write), and reports each attempt's outcome with
 * {@link #recordSuccess()} or {@link #recordFailure()}. A store that answered with an error of its own (a missing
 * table, a bad value) answered: that is a success here. Thread-safe; while closed, {@link #tryAcquire()} and
 * {@link #recordSuccess()} are a volatile read each.
 *
 * @since 0.1.0
 */
public final class CircuitBreaker {

	/**
	 * Where a breaker stands.
	 */
	public enum State {

		/**
		 * Calls go through.
		 */
		CLOSED,

		/**
		 * Calls are refused until the open time is over.
		 */
		OPEN,

		/**
		 * One trial call is under way; the others are refused.
		 */
		HALF_OPEN

	}

	private final int threshold;

	private final long openNanos;

	private final LongSupplier nanoTime;

	private final AtomicInteger failures = new AtomicInteger();

	private volatile State state = State.CLOSED;

	/** When OPEN: when a trial may start. When HALF_OPEN: when the trial counts as lost (another may start). */
	private volatile long until;

	private volatile long opened;

	/**
	 * Create a breaker on {@link System#nanoTime()}.
	 * @param threshold failures in a row that open it, at least 1
	 * @param openTime how long it stays open before a trial, positive
	 */
	public CircuitBreaker(int threshold, Duration openTime) {
		this(threshold, openTime, System::nanoTime);
	}

	/**
	 * Create a breaker on a given time source (for tests).
	 * @param threshold failures in a row that open it, at least 1
	 * @param openTime how long it stays open before a trial, positive
	 * @param nanoTime a monotonic time in nanoseconds, as {@link System#nanoTime()}
	 */
	public CircuitBreaker(int threshold, Duration openTime, LongSupplier nanoTime) {
		if (threshold < 1) {
			throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
		}
		Objects.requireNonNull(openTime, "openTime must not be null");
		if (openTime.isNegative() || openTime.isZero()) {
			throw new IllegalArgumentException("openTime must be positive, got " + openTime);
		}
		this.threshold = threshold;
		this.openNanos = openTime.toNanos();
		this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime must not be null");
	}

	/**
	 * Whether a call may go to the store now: always while closed; while open, only the one caller that starts the
	 * trial once the open time is over. A trial whose outcome is never reported counts as lost after another open
	 * time, and a new trial may start.
	 * @return {@code true} to make the call (and report its outcome), {@code false} to fail it at once
	 */
	public boolean tryAcquire() {
		if (this.state == State.CLOSED) {
			return true;
		}
		synchronized (this) {
			State current = this.state;
			if (current == State.CLOSED) {
				return true;
			}
			long now = this.nanoTime.getAsLong();
			if (now - this.until < 0) {
				return false;
			}
			this.state = State.HALF_OPEN;
			this.until = now + this.openNanos;
			return true;
		}
	}

	/**
	 * Report that a call reached the store and got an answer. Closes the breaker after a trial; a late answer to a
	 * call started before the breaker opened leaves it open (the trial decides).
	 * @return whether this closed the breaker
	 */
	public boolean recordSuccess() {
		if (this.state == State.CLOSED) {
			if (this.failures.get() != 0) {
				this.failures.set(0);
			}
			return false;
		}
		synchronized (this) {
			if (this.state != State.HALF_OPEN) {
				return false;
			}
			this.failures.set(0);
			this.state = State.CLOSED;
			return true;
		}
	}

	/**
	 * Report that a call did not get an answer (it timed out, or no connection could be made). Opens the breaker at
	 * the threshold, and again at once after a failed trial.
	 * @return whether this opened the breaker
	 */
	public boolean recordFailure() {
		int count = this.failures.incrementAndGet();
		if (this.state == State.CLOSED && count < this.threshold) {
			return false;
		}
		synchronized (this) {
			State current = this.state;
			if (current == State.OPEN) {
				return false;
			}
			if (current == State.CLOSED && this.failures.get() < this.threshold) {
				return false;
			}
			long now = this.nanoTime.getAsLong();
			this.state = State.OPEN;
			this.until = now + this.openNanos;
			if (current == State.CLOSED) {
				this.opened = now;
				return true;
			}
			return false;
		}
	}

	/**
	 * Report a failure that leaves no doubt, such as a refused connection (nothing listens): opens the breaker at
	 * once, whatever the count, for another open time.
	 * @return whether this opened a closed breaker
	 */
	public boolean trip() {
		this.failures.incrementAndGet();
		synchronized (this) {
			State current = this.state;
			long now = this.nanoTime.getAsLong();
			this.state = State.OPEN;
			this.until = now + this.openNanos;
			if (current == State.CLOSED) {
				this.opened = now;
				return true;
			}
			return false;
		}
	}

	/**
	 * Where the breaker stands now. An open breaker whose open time is over reads as {@link State#OPEN} until a
	 * caller starts the trial.
	 * @return the state
	 */
	public State state() {
		return this.state;
	}

	/**
	 * Whether calls are refused now: open and its open time not over, or a trial under way. A caller that only
	 * reports (a health check) uses this to answer without touching the store.
	 * @return whether a call now would be refused
	 */
	public boolean isOpen() {
		State current = this.state;
		return current != State.CLOSED && this.nanoTime.getAsLong() - this.until < 0;
	}

	/**
	 * Failures in a row so far (reset by a success while closed, and by closing).
	 * @return the count
	 */
	public int consecutiveFailures() {
		return this.failures.get();
	}

	/**
	 * The time left before a trial may start, zero if closed or due.
	 * @return the time left
	 */
	public Duration retryIn() {
		if (this.state == State.CLOSED) {
			return Duration.ZERO;
		}
		long left = this.until - this.nanoTime.getAsLong();
		return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
	}

	/**
	 * How long the breaker has been open (since the threshold was reached, failed trials included), zero if
	 * closed.
	 * @return the time since it opened
	 */
	public Duration openFor() {
		if (this.state == State.CLOSED) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.nanoTime.getAsLong() - this.opened));
	}

	/**
	 * The number of failures in a row that opens the breaker.
	 * @return the threshold
	 */
	public int threshold() {
		return this.threshold;
	}

	@Override
	public String toString() {
		return "CircuitBreaker[" + this.state + ", failures=" + this.failures.get() + "/" + this.threshold + "]";
	}

}
