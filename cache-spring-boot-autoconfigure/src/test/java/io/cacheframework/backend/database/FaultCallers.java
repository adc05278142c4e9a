package io.cacheframework.backend.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent callers that keep calling a cache for a while and record what a caller would see: the longest call,
 * the number of calls, every exception, and callers that never came back (a hang is reported, not waited out).
 */
final class FaultCallers {

	/**
	 * One call, made by caller {@code thread} in its {@code round}-th round.
	 */
	@FunctionalInterface
	interface Call {

		void run(int thread, int round) throws Exception;

	}

	/**
	 * What the callers saw.
	 * @param calls calls made
	 * @param longest the longest call
	 * @param errors exceptions that reached a caller
	 * @param hung callers still inside a call when the run should long have ended
	 */
	record Result(long calls, Duration longest, List<Throwable> errors, int hung) {

		@Override
		public String toString() {
			return calls + " calls, longest " + longest.toMillis() + " ms, " + errors.size() + " exceptions"
					+ (errors.isEmpty() ? "" : " (first: " + errors.get(0) + ")") + ", " + hung + " callers hung";
		}

	}

	private FaultCallers() {
	}

	/**
	 * Run {@code threads} callers for {@code duration}; a caller inside a call {@code hangAfter} after the end is
	 * counted as hung and left behind (the test then ends the fault, which releases it).
	 */
	static Result run(int threads, Duration duration, Duration hangAfter, Call call) throws InterruptedException {
		ExecutorService pool = Executors.newFixedThreadPool(threads, (runnable) -> {
			Thread thread = new Thread(runnable, "fault-caller");
			thread.setDaemon(true);
			return thread;
		});
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		AtomicLong calls = new AtomicLong();
		AtomicLong longest = new AtomicLong();
		long end = System.nanoTime() + duration.toNanos();
		List<Future<?>> callers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			callers.add(pool.submit(() -> {
				for (int round = 0; System.nanoTime() < end; round++) {
					long start = System.nanoTime();
					try {
						call.run(thread, round);
					}
					catch (Throwable ex) {
						errors.add(ex);
					}
					longest.accumulateAndGet(System.nanoTime() - start, Math::max);
					calls.incrementAndGet();
				}
			}));
		}
		long deadline = end + hangAfter.toNanos();
		int hung = 0;
		for (Future<?> caller : callers) {
			try {
				caller.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				hung++;
			}
			catch (java.util.concurrent.ExecutionException ex) {
				errors.add(ex.getCause());
			}
		}
		pool.shutdown();
		long longestNanos = longest.get();
		if (hung > 0) {
			// A call still running has lasted at least until now.
			longestNanos = Math.max(longestNanos, System.nanoTime() - end);
		}
		return new Result(calls.get(), Duration.ofNanos(longestNanos), errors, hung);
	}

}
