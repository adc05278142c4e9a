package io.cacheframework.core;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The bounded executor on which the asynchronous API runs the calls of stores that have no asynchronous client (the
 * database and the file system): a fixed number of daemon threads and a bounded queue. A call it cannot take is not
 * queued without end and never runs in the caller: it is a {@link CacheAccessException}, which the cache turns into
 * a miss or a failed write like any outage. The auto-configuration makes one per application
 * ({@code app.cache-async.*}); backends built with {@code new} share {@link #shared()}.
 *
 * @since 0.1.0
 */
public final class CacheExecutor implements Executor, AutoCloseable {

	/**
	 * Threads of the shared executor.
	 */
	public static final int DEFAULT_THREADS = 8;

	/**
	 * Queued calls of the shared executor beyond which calls are refused.
	 */
	public static final int DEFAULT_QUEUE_CAPACITY = 1000;

	private static final AtomicInteger pools = new AtomicInteger();

	private static volatile CacheExecutor shared;

	private final ThreadPoolExecutor executor;

	/**
	 * Create an executor.
	 * @param threads how many calls run at once
	 * @param queueCapacity how many calls may wait; more are refused
	 */
	public CacheExecutor(int threads, int queueCapacity) {
		if (threads < 1) {
			throw new IllegalArgumentException("threads must be at least 1, was " + threads);
		}
		if (queueCapacity < 1) {
			throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
		}
		int pool = pools.incrementAndGet();
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(queueCapacity), (runnable) -> {
					Thread thread = new Thread(runnable, "cache-async-" + pool + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.AbortPolicy());
		this.executor.allowCoreThreadTimeOut(true);
	}

	/**
	 * The executor shared by backends that were not given one.
	 * @return the shared executor
	 */
	public static CacheExecutor shared() {
		CacheExecutor executor = shared;
		if (executor == null) {
			synchronized (CacheExecutor.class) {
				executor = shared;
				if (executor == null) {
					executor = new CacheExecutor(DEFAULT_THREADS, DEFAULT_QUEUE_CAPACITY);
					shared = executor;
				}
			}
		}
		return executor;
	}

	@Override
	public void execute(Runnable command) {
		this.executor.execute(command);
	}

	/**
	 * Run a blocking call on this executor.
	 * @param call the call
	 * @param <R> its result
	 * @return its outcome; a call the executor refuses fails with a {@link CacheAccessException}
	 */
	public <R> CompletableFuture<R> submit(Supplier<R> call) {
		try {
			return CompletableFuture.supplyAsync(call, this.executor);
		}
		catch (RejectedExecutionException ex) {
			return CompletableFuture.failedFuture(new CacheAccessException(
					"the cache's async executor is full (" + this.executor.getQueue().size() + " calls waiting)", ex));
		}
	}

	/**
	 * Calls waiting for a thread.
	 * @return the queue length
	 */
	public int queued() {
		return this.executor.getQueue().size();
	}

	/**
	 * Stop the threads once the calls already taken have run.
	 */
	@Override
	public void close() {
		this.executor.shutdown();
	}

}
