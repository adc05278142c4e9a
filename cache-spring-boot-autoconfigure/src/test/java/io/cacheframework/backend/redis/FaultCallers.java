package io.cacheframework.backend.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import io.cacheframework.core.CacheBackend;

/**
 * Threads that call a cache as request threads do (get, set, getMany of three keys, in turn), timing every call and
 * keeping every exception and every wrong value. Each key's value is {@code "v-" + key}, so a hit for another key's
 * value is caught. Calls slower than {@link #SLOW_MILLIS} are counted.
 */
final class FaultCallers implements AutoCloseable {

	static final long SLOW_MILLIS = 100;

	private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final CacheBackend cache;

	private final List<String> keys;

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicBoolean running = new AtomicBoolean(true);

	/** Per thread: {@link System#nanoTime()} when its call in flight started, 0 when idle. */
	private final AtomicLongArray inFlightSince;

	private final AtomicLong maxNanos = new AtomicLong();

	private final AtomicLong calls = new AtomicLong();

	private final AtomicLong slowCalls = new AtomicLong();

	private final AtomicLong hits = new AtomicLong();

	private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<String> wrongValues = new ConcurrentLinkedQueue<>();

	FaultCallers(CacheBackend cache, int count, List<String> keys) {
		this.cache = cache;
		this.keys = List.copyOf(keys);
		this.inFlightSince = new AtomicLongArray(count);
		for (int i = 0; i < count; i++) {
			int index = i;
			Thread thread = new Thread(() -> run(index), "caller-" + i);
			thread.setDaemon(true);
			this.threads.add(thread);
		}
		this.threads.forEach(Thread::start);
	}

	static String value(String key) {
		return "v-" + key;
	}

	private void run(int index) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (long round = 0; this.running.get(); round++) {
			String key = this.keys.get(random.nextInt(this.keys.size()));
			long start = System.nanoTime();
			this.inFlightSince.set(index, start);
			try {
				switch ((int) (round % 3)) {
					case 0 -> check(key, this.cache.get(key));
					case 1 -> this.cache.set(key, value(key));
					default -> {
						List<String> some = List.of(key, this.keys.get(random.nextInt(this.keys.size())),
								this.keys.get(random.nextInt(this.keys.size())));
						for (Map.Entry<String, Object> entry : this.cache.getMany(some).entrySet()) {
							check(entry.getKey(), entry.getValue());
						}
					}
				}
			}
			catch (Throwable ex) {
				this.failures.add(ex);
			}
			finally {
				long took = System.nanoTime() - start;
				this.inFlightSince.set(index, 0);
				this.maxNanos.accumulateAndGet(took, Math::max);
				if (took > TimeUnit.MILLISECONDS.toNanos(SLOW_MILLIS)) {
					this.slowCalls.incrementAndGet();
				}
				this.calls.incrementAndGet();
			}
			// A request thread does other work between cache calls: without a pause, eight threads failing fast
			// would spin two cores and measure the scheduler instead of the cache.
			LockSupport.parkNanos(PAUSE_NANOS);
		}
	}

	private void check(String key, Object value) {
		if (value != null) {
			this.hits.incrementAndGet();
			if (!value(key).equals(value)) {
				this.wrongValues.add(key + "=" + value);
			}
		}
	}

	/** The longest call so far, in milliseconds, counting calls still in flight. */
	long maxMillis() {
		long now = System.nanoTime();
		long max = this.maxNanos.get();
		for (int i = 0; i < this.inFlightSince.length(); i++) {
			long since = this.inFlightSince.get(i);
			if (since != 0) {
				max = Math.max(max, now - since);
			}
		}
		return TimeUnit.NANOSECONDS.toMillis(max);
	}

	long calls() {
		return this.calls.get();
	}

	long slowCalls() {
		return this.slowCalls.get();
	}

	long hits() {
		return this.hits.get();
	}

	List<Throwable> failures() {
		return List.copyOf(this.failures);
	}

	List<String> wrongValues() {
		return List.copyOf(this.wrongValues);
	}

	/**
	 * Wait until the callers have had {@code count} more hits, for at most {@code millis}.
	 * @return whether they had
	 */
	boolean awaitHits(long count, long millis) {
		long target = this.hits.get() + count;
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (this.hits.get() < target && System.nanoTime() < deadline) {
			RedisServer.sleep(10);
		}
		return this.hits.get() >= target;
	}

	/** Stop the callers; a caller stuck in a call is left behind (it is a daemon thread) and shows in maxMillis. */
	@Override
	public void close() {
		this.running.set(false);
		for (Thread thread : this.threads) {
			try {
				thread.join(2000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
