package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.lettuce.core.api.StatefulConnection;
import org.jspecify.annotations.Nullable;

/**
 * Makes the first connection to a server (or a cluster) in the background, and tries again until it succeeds, so that
 * the application starts while Redis is down and uses it as soon as it is up; every call meanwhile is a miss at once.
 * Attempts are 100 ms apart at first, then twice as far apart each time, up to {@code reconnect-delay}. Once connected,
 * Lettuce reconnects by itself.
 *
 * @param <C> the connection
 */
final class Connector<C extends StatefulConnection<?, ?>> implements AutoCloseable {

	private static final long FIRST_DELAY_MILLIS = 100;

	private final Supplier<CompletionStage<C>> connect;

	private final ScheduledExecutorService scheduler;

	private final long maxDelayMillis;

	private final Consumer<C> onConnected;

	private final Consumer<Throwable> onFailed;

	private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

	private volatile @Nullable C connection;

	private volatile boolean closed;

	private long delayMillis = FIRST_DELAY_MILLIS;

	/**
	 * @param connect starts one attempt
	 * @param scheduler runs later attempts
	 * @param maxDelay the longest wait between attempts
	 * @param onConnected told of the connection, once
	 * @param onFailed told of each failed attempt
	 */
	Connector(Supplier<CompletionStage<C>> connect, ScheduledExecutorService scheduler, Duration maxDelay,
			Consumer<C> onConnected, Consumer<Throwable> onFailed) {
		this.connect = connect;
		this.scheduler = scheduler;
		this.maxDelayMillis = Math.max(FIRST_DELAY_MILLIS, maxDelay.toMillis());
		this.onConnected = onConnected;
		this.onFailed = onFailed;
	}

	/**
	 * Start the first attempt.
	 */
	void start() {
		attempt();
	}

	/**
	 * Wait for the first attempt's outcome, at most {@code wait}.
	 * @param wait how long to wait
	 */
	void awaitFirstAttempt(Duration wait) {
		try {
			this.firstAttempt.get(wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			// Still connecting: it goes on in the background.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The connection, once made.
	 * @return the connection, or {@code null} while none was made
	 */
	@Nullable C connection() {
		return this.connection;
	}

	private void attempt() {
		if (this.closed) {
			return;
		}
		CompletionStage<C> stage;
		try {
			stage = this.connect.get();
		}
		catch (RuntimeException ex) {
			failed(ex);
			return;
		}
		stage.whenComplete((connection, ex) -> {
			if (ex != null) {
				failed(ex);
			}
			else {
				connected(connection);
			}
		});
	}

	private void connected(C connection) {
		if (this.closed) {
			connection.closeAsync();
			return;
		}
		this.connection = connection;
		this.onConnected.accept(connection);
		this.firstAttempt.complete(null);
	}

	private void failed(Throwable ex) {
		if (this.closed) {
			return;
		}
		this.onFailed.accept(ex);
		this.firstAttempt.complete(null);
		long delay;
		synchronized (this) {
			delay = this.delayMillis;
			this.delayMillis = Math.min(this.maxDelayMillis, this.delayMillis * 2);
		}
		try {
			this.scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException rejected) {
			// Shutting down.
		}
	}

	@Override
	public void close() {
		this.closed = true;
		C connection = this.connection;
		if (connection != null) {
			connection.close();
		}
	}

}
