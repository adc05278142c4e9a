package io.cacheframework.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many {@code async().get} calls in flight at once from one thread, and the live threads of the JVM meanwhile: the
 * must-show of issue 16, that a store with an asynchronous client parks no thread per call. Shared by the memcached
 * and Redis tests.
 */
public final class AsyncLoad {

	private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	/** Live threads before the calls. */
	public final int before;

	/** The most live threads seen while the calls were in flight. */
	public final int during;

	/** Calls not yet complete when all had been made. */
	public final int inFlight;

	/** Each call's future, in the order of the keys. */
	public final List<CompletableFuture<Object>> futures;

	private AsyncLoad(int before, int during, int inFlight, List<CompletableFuture<Object>> futures) {
		this.before = before;
		this.during = during;
		this.inFlight = inFlight;
		this.futures = futures;
	}

	/**
	 * Make one {@code async().get} per key from the calling thread, counting live threads before, right after the
	 * calls, and until they complete or {@code bound} has passed.
	 * @param cache the cache
	 * @param keys the keys
	 * @param bound how long to keep counting
	 * @return what was seen
	 */
	public static AsyncLoad gets(CacheBackend cache, List<String> keys, Duration bound) {
		AsyncCacheBackend async = cache.async();
		int before = threads.getThreadCount();
		List<CompletableFuture<Object>> futures = new ArrayList<>(keys.size());
		for (String key : keys) {
			futures.add(async.get(key));
		}
		int during = threads.getThreadCount();
		int inFlight = (int) futures.stream().filter((future) -> !future.isDone()).count();
		CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
		long deadline = System.nanoTime() + bound.toNanos();
		while (!all.isDone() && System.nanoTime() < deadline) {
			during = Math.max(during, threads.getThreadCount());
			try {
				all.get(5, TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				// Still running, or failed: checked by the caller.
			}
		}
		return new AsyncLoad(before, during, inFlight, futures);
	}

	/**
	 * Every call completed normally within the bound, none exceptionally.
	 * @return the values by key position
	 */
	public Map<Integer, Object> assertAllCompletedNormally() {
		Map<Integer, Object> values = new HashMap<>();
		for (int i = 0; i < this.futures.size(); i++) {
			CompletableFuture<Object> future = this.futures.get(i);
			assertThat(future).as("call %d", i).isDone();
			assertThat(future.isCompletedExceptionally()).as("call %d failed", i).isFalse();
			values.put(i, future.join());
		}
		return values;
	}

	/**
	 * The calls added at most a few threads (the clients' own lazily started I/O and timer threads, the sampling),
	 * not one per call.
	 * @param most the most extra threads allowed
	 */
	public void assertThreadsBounded(int most) {
		assertThat(this.during - this.before).as("threads before %d, during %d", this.before, this.during)
			.isLessThan(most);
	}

	@Override
	public String toString() {
		return this.futures.size() + " calls, " + this.inFlight + " in flight after the last was made; live threads "
				+ this.before + " before, at most " + this.during + " during";
	}

}
