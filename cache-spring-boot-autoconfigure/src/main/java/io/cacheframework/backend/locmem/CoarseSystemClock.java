package io.cacheframework.backend.locmem;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The system time in epoch milliseconds, read from a field that one daemon thread refreshes every millisecond.
 *
 * <p>Every locmem read checks expiry, and {@link System#currentTimeMillis()} costs as much as the rest of a cache hit
 * (about 25-30 ns on a virtual machine, against about 1 ns for this field). The price is resolution: an entry can be
 * served for up to about a millisecond after it expires, longer only while the JVM starves the thread of CPU. Django
 * reads {@code time.time()} on every call; memcached itself keeps a one-second clock. Expiry and reads use the same
 * time, so an entry stored with a zero or negative timeout is never served.
 *
 * <p>The thread runs only while a backend uses the clock ({@link #acquire()} / {@link #release()}), so a closed
 * application context leaves no thread behind. Only the system clock is replaced: a backend given another
 * {@link Clock} (a fixed or movable one in tests) keeps reading it on every call.
 */
final class CoarseSystemClock {

	static final String THREAD_NAME = "cache-framework-locmem-clock";

	/**
	 * The clock every locmem backend with the system clock shares.
	 */
	static final CoarseSystemClock SHARED = new CoarseSystemClock();

	private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private volatile long millis = System.currentTimeMillis();

	private volatile @Nullable Thread ticker;

	private int users;

	/**
	 * Whether a clock is the system clock in some zone, which this one can stand in for.
	 * @param clock a clock
	 * @return whether it is {@code Clock.system(zone)}
	 */
	static boolean isSystemClock(Clock clock) {
		return clock.equals(Clock.system(clock.getZone()));
	}

	/**
	 * Start using the clock: the first user starts the thread.
	 */
	synchronized void acquire() {
		if (this.users++ == 0) {
			this.millis = System.currentTimeMillis();
			Thread thread = new Thread(this::tick, THREAD_NAME);
			thread.setDaemon(true);
			this.ticker = thread;
			thread.start();
		}
	}

	/**
	 * Stop using the clock: the last user stops the thread.
	 */
	synchronized void release() {
		if (this.users > 0 && --this.users == 0) {
			Thread thread = this.ticker;
			this.ticker = null;
			LockSupport.unpark(thread);
		}
	}

	/**
	 * The thread that keeps the time, while the clock has users.
	 * @return the thread, or {@code null}
	 */
	@Nullable Thread ticker() {
		return this.ticker;
	}

	/**
	 * The current time in epoch milliseconds, at most about a millisecond behind the system clock.
	 * @return the time
	 */
	long millis() {
		return this.millis;
	}

	private void tick() {
		Thread self = Thread.currentThread();
		while (this.ticker == self) {
			this.millis = System.currentTimeMillis();
			LockSupport.parkNanos(PERIOD_NANOS);
		}
	}

}
