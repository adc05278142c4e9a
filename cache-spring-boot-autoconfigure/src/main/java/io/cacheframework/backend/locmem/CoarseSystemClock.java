package io.cacheframework.backend.locmem;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The system time in epoch milliseconds for the locmem read path: read from the system while the cache is read at
 * ordinary rates, and from a field that a daemon thread refreshes every millisecond while it is read very often.
 *
 * <p>Every locmem read checks expiry, and {@link System#currentTimeMillis()} costs as much as the rest of a hit (about
 * 25 ns on a virtual machine, against about 1 ns for a field). A thread waking every millisecond costs too, though:
 * about 28 µs of CPU per wake-up on the same machine, 2.8 % of a core. So the clock <em>ticks</em> only while reads are
 * frequent enough to pay for it: from {@value #BURST_READS} reads within one millisecond (a million reads a second)
 * until a millisecond passes without any read; in between, and when idle, the thread is parked and costs nothing.
 *
 * <p>While ticking, an entry can be served for up to about a millisecond after it expires, longer only while the JVM
 * starves the thread of CPU. Django reads {@code time.time()} on every call; memcached itself keeps a one-second clock.
 * Expiry and reads use the same time, so an entry stored with a zero or negative timeout is never served.
 *
 * <p>The thread exists only while a backend uses the clock ({@link #acquire()} / {@link #release()}), so a closed
 * application context leaves no thread behind. Only the system clock is replaced: a backend given another
 * {@link Clock} (a fixed or movable one in tests) keeps reading it on every call.
 */
final class CoarseSystemClock {

	static final String THREAD_NAME = "cache-framework-locmem-clock";

	/**
	 * The clock every locmem backend with the system clock shares.
	 */
	static final CoarseSystemClock SHARED = new CoarseSystemClock();

	/**
	 * Reads within one millisecond that start the ticking.
	 */
	static final int BURST_READS = 1000;

	private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private volatile boolean ticking;

	private volatile long millis = System.currentTimeMillis();

	/**
	 * Whether the clock was read since the last tick: the first read of each tick sets it.
	 */
	private volatile boolean read;

	private volatile @Nullable Thread ticker;

	private int users;

	/**
	 * The millisecond of the current burst of system-clock reads, and how many there were: plain fields, updated
	 * racily by readers on purpose, since they only decide when to start ticking.
	 */
	private long burstMillis;

	private int burstReads;

	/**
	 * Whether a clock is the system clock in some zone, which this one can stand in for.
	 * @param clock a clock
	 * @return whether it is {@code Clock.system(zone)}
	 */
	static boolean isSystemClock(Clock clock) {
		return clock.equals(Clock.system(clock.getZone()));
	}

	/**
	 * Start using the clock: the first user starts the (parked) thread.
	 */
	synchronized void acquire() {
		if (this.users++ == 0) {
			Thread thread = new Thread(this::run, THREAD_NAME);
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
			this.ticking = false;
			LockSupport.unpark(thread);
		}
	}

	/**
	 * The current time in epoch milliseconds, at most about a millisecond behind the system clock.
	 * @return the time
	 */
	long millis() {
		if (this.ticking) {
			if (!this.read) {
				this.read = true;
			}
			return this.millis;
		}
		long now = System.currentTimeMillis();
		if (now != this.burstMillis) {
			this.burstMillis = now;
			this.burstReads = 0;
		}
		else if (++this.burstReads == BURST_READS) {
			startTicking(now);
		}
		return now;
	}

	private void startTicking(long now) {
		Thread thread = this.ticker;
		if (thread != null) {
			// The time first, so that no reader sees ticking with an old time.
			this.millis = now;
			this.read = true;
			this.ticking = true;
			LockSupport.unpark(thread);
		}
	}

	/**
	 * Whether reads currently come from the ticking field.
	 * @return whether the clock is ticking
	 */
	boolean isTicking() {
		return this.ticking;
	}

	/**
	 * The thread that keeps the time, while the clock has users.
	 * @return the thread, or {@code null}
	 */
	@Nullable Thread ticker() {
		return this.ticker;
	}

	private void run() {
		Thread self = Thread.currentThread();
		while (this.ticker == self) {
			if (!this.ticking) {
				// A reader that starts the ticking unparks us, also if it did so just before this park.
				LockSupport.park(this);
				continue;
			}
			this.read = false;
			LockSupport.parkNanos(this, PERIOD_NANOS);
			this.millis = System.currentTimeMillis();
			if (!this.read) {
				// A millisecond without reads: readers go back to the system clock.
				this.ticking = false;
			}
		}
	}

}
