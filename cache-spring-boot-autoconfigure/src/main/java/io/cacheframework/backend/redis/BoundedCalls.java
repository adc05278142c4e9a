package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
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

	private final long timeoutNanos;

	/**
	 * @param timeout how long one command may take
	 */
	BoundedCalls(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
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
			return noAnswer(server, "no answer within " + timeoutMillis() + " ms", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof RedisCommandExecutionException) {
				server.answered();
				throw new ServerReplyException(server, String.valueOf(cause.getMessage()), cause);
			}
			if (cause instanceof RedisCommandTimeoutException) {
				return noAnswer(server, "no answer within " + timeoutMillis() + " ms", cause);
			}
			return noAnswer(server, String.valueOf(cause.getMessage()), cause);
		}
		catch (CancellationException ex) {
			return noAnswer(server, "command cancelled", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(false);
			throw new CacheAccessException("interrupted while waiting for " + server, ex);
		}
	}

	private static <T> T noAnswer(Server server, String reason, Throwable cause) {
		server.noAnswer(reason);
		throw new CacheAccessException(server + ": " + reason, cause);
	}

}
