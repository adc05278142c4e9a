package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.cacheframework.core.CacheAccessException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * Commands sent through Lettuce's asynchronous API and waited for within the operation timeout: the one place where
 * a command's outcome becomes a value, or a {@link CacheAccessException} that the backend's caller sees as a miss or
 * a failed write. A server that is not connected, or whose breaker is open, fails the call at once, before anything
 * is sent. Each answer and each missing answer is reported to the server's breaker; an error reply of the server's
 * own counts as an answer ({@link ServerReplyException}).
 *
 * <p>The futures stay Lettuce's own, so that an asynchronous caller can use them as they are.
 */
final class BoundedCalls {

	/** How much later than Lettuce's own command timeout an asynchronous call gives up by itself. */
	private static final long BACKSTOP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	private final long timeoutNanos;

	private final Executor completions;

	/**
	 * @param timeout how long one command may take
	 * @param completions Lettuce's own computation threads, on which asynchronous answers are handed over
	 */
	BoundedCalls(Duration timeout, Executor completions) {
		this.timeoutNanos = timeout.toNanos();
		// Once the cache is closed Lettuce's threads refuse work: the answer is then handed over where it arrives.
		this.completions = (task) -> {
			try {
				completions.execute(task);
			}
			catch (RejectedExecutionException ex) {
				task.run();
			}
		};
	}

	/**
	 * The time by which a command sent now must have answered.
	 * @return a {@link System#nanoTime()} deadline
	 */
	long deadline() {
		return System.nanoTime() + this.timeoutNanos;
	}

	long timeoutMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos);
	}

	/**
	 * Send a command and wait for its answer.
	 * @param target where it goes
	 * @param command the command
	 * @param <T> its result
	 * @return the result
	 * @throws CacheAccessException if it got no answer in time, or an error reply
	 */
	<T> T call(Target target, Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		return await(target, send(target, command), deadline());
	}

	/**
	 * Send a command without waiting (several commands sent in a row are pipelined on the connection).
	 * @param target where it goes
	 * @param command the command
	 * @param <T> its result
	 * @return Lettuce's future
	 * @throws CacheAccessException at once if the server is not connected or is avoided
	 */
	<T> RedisFuture<T> send(Target target, Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		Server server = target.server();
		if (!target.isConnected()) {
			throw new CacheAccessException(server + " is not connected");
		}
		if (!server.breaker().tryAcquire()) {
			throw new CacheAccessException(server + " is not answering; calls for it are misses for another "
					+ server.breaker().retryIn().toMillis() + " ms");
		}
		try {
			return command.apply(target.commands());
		}
		catch (RuntimeException ex) {
			// Lettuce reports failures through the future; this is a command it could not even queue.
			server.noAnswer(String.valueOf(ex.getMessage()));
			throw new CacheAccessException(server + " could not take the command: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Wait for a command sent with {@link #send} until a deadline.
	 * @param target where it went
	 * @param future its future
	 * @param deadline a {@link System#nanoTime()} deadline
	 * @param <T> its result
	 * @return the result
	 * @throws CacheAccessException if it got no answer in time, or an error reply
	 */
	<T> T await(Target target, RedisFuture<T> future, long deadline) {
		Server server = target.server();
		try {
			T result = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			server.answered();
			return result;
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw failure(server, ex);
		}
		catch (ExecutionException ex) {
			throw failure(server, (ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (CancellationException ex) {
			throw failure(server, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(false);
			throw new CacheAccessException("interrupted while waiting for " + server, ex);
		}
	}

	/**
	 * Send a command and complete a future with its answer, without any thread waiting for it: the asynchronous
	 * twin of {@link #call}. Lettuce's own timer ends a command after the operation timeout; a second deadline a
	 * little later is kept here in case it does not, so that the future always completes.
	 * @param target where it goes
	 * @param command the command
	 * @param <T> its result
	 * @return the result, or failed with a {@link CacheAccessException} (no answer in time, an error reply, a server
	 * not connected or avoided)
	 */
	<T> CompletableFuture<T> callAsync(Target target,
			Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		RedisFuture<T> sent;
		try {
			sent = send(target, command);
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return answer(target, sent);
	}

	/**
	 * The answer to a command sent with {@link #send}, as a future completed on Lettuce's computation threads.
	 * @param target where it went
	 * @param future its future
	 * @param <T> its result
	 * @return the result, or failed with a {@link CacheAccessException}
	 */
	<T> CompletableFuture<T> answer(Target target, RedisFuture<T> future) {
		Server server = target.server();
		CompletableFuture<T> answer = new CompletableFuture<>();
		// Handed over to Lettuce's computation threads, not completed on its I/O thread: whatever the caller chains
		// runs there, and a blocking cache call chained on an I/O thread (Spring's put after a missed retrieve) would
		// wait for an answer that only this very thread can read.
		future.whenCompleteAsync((value, failure) -> {
			if (failure == null) {
				answer.complete(value);
			}
			else {
				answer.completeExceptionally(failure);
			}
		}, this.completions);
		return answer.orTimeout(this.timeoutNanos + BACKSTOP_NANOS, TimeUnit.NANOSECONDS).handle((value, failure) -> {
			if (failure == null) {
				server.answered();
				return value;
			}
			Throwable cause = cause(failure);
			if (cause instanceof TimeoutException) {
				future.cancel(false);
			}
			throw failure(server, cause);
		});
	}

	/**
	 * What failed, without the wrapper a dependent stage of a future adds.
	 * @param failure a future's failure
	 * @return its cause
	 */
	static Throwable cause(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/**
	 * What a command's failure means: an error reply of the server's own is an answer; anything else (a timeout, a
	 * connection lost under the command, a cancelled command) is a missing answer, reported to the server's breaker.
	 */
	private CacheAccessException failure(Server server, Throwable cause) {
		if (cause instanceof RedisCommandExecutionException) {
			server.answered();
			return new ServerReplyException(server, String.valueOf(cause.getMessage()), cause);
		}
		String reason;
		if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
			reason = "no answer within " + timeoutMillis() + " ms";
		}
		else if (cause instanceof CancellationException) {
			reason = "command cancelled";
		}
		else {
			reason = String.valueOf(cause.getMessage());
		}
		server.noAnswer(reason);
		return new CacheAccessException(server + ": " + reason, cause);
	}

}
