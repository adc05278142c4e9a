package io.cacheframework.backend.database;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CircuitBreaker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Where the database backend gets its connections for one data source (the write one, or a separate read one), and
 * everything that bounds a statement in time:
 * <ul>
 * <li>a pool of its own (built from the application's Hikari pool), so that the cache never waits for connections
 * the application's {@code @Transactional} callers hold; or, when it has none, the application's data source with
 * the wait for a connection bounded by running it on a small executor;</li>
 * <li>{@link Connection#setNetworkTimeout} on every connection, so that a server that stops answering (where a
 * query-timeout cancel cannot get through either) fails the read of its socket;</li>
 * <li>on PostgreSQL, the query timeout as a cancel sent from a thread of our own, so the caller never waits for a
 * cancel stuck on a hung server (pgjdbc's own query timeout makes the statement wait for its cancel);</li>
 * <li>a {@link CircuitBreaker}, so that once the database stopped answering calls are misses at once;</li>
 * <li>a short per-thread fail-fast: after a statement of a thread timed out or found no connection, the rest of that
 * call (a set's cull, getOrSet's add and read) does not wait a second time.</li>
 * </ul>
 */
final class ConnectionSource implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DatabaseCacheBackend.class);

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			ConnectionSource.class.getClassLoader());

	/** How long a thread's next statements fail at once after one of its statements got no answer. */
	static final long SAME_CALL_MILLIS = 500;

	/** Network timeout beyond the query timeout: time for the server's own cancel to arrive first. */
	static final long CANCEL_GRACE_MILLIS = 250;

	private final String component;

	private final DataSource dataSource;

	private final @Nullable DataSource ownPool;

	private final @Nullable ThreadPoolExecutor acquirer;

	private final CircuitBreaker breaker;

	private final long connectMillis;

	private final int networkTimeoutMillis;

	private final long queryTimeoutMillis;

	private final ThreadLocal<long[]> lastFailure = ThreadLocal.withInitial(() -> new long[1]);

	private volatile boolean networkTimeoutUnsupported;

	/** An embedded database (H2 in this JVM): getting a connection never waits on a network. */
	private volatile boolean embedded;

	/**
	 * @param component the name used in health and messages, e.g. {@code "table my_cache"}
	 * @param dataSource the application's data source
	 * @param poolName the name of a pool of our own, if one can be built
	 * @param options the backend's options
	 */
	ConnectionSource(String component, DataSource dataSource, String poolName, DatabaseOptions options) {
		this.component = component;
		this.dataSource = dataSource;
		this.connectMillis = options.getConnectTimeout().toMillis();
		this.queryTimeoutMillis = options.queryTimeoutSeconds() * 1000L;
		this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, this.queryTimeoutMillis + CANCEL_GRACE_MILLIS);
		this.breaker = new CircuitBreaker(options.getTimeoutThreshold(), options.getReconnectDelay());
		DataSource pool = null;
		if (options.getPoolSize() > 0 && HIKARI_PRESENT) {
			try {
				pool = HikariPools.create(dataSource, poolName, options.getPoolSize(), this.connectMillis);
			}
			catch (RuntimeException ex) {
				// The application's own pool works with these settings, or fails on its own: use it, bounded.
				logger.warn("Cache pool '" + poolName + "' could not be built from the application's Hikari pool ("
						+ ex.getMessage() + "); the cache borrows the application's connections instead");
			}
		}
		this.ownPool = pool;
		if (pool == null) {
			// Enough threads that one waiting on an exhausted application pool does not hold up the others.
			int threads = 8;
			ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
					new LinkedBlockingQueue<>(256), daemonThreads(poolName + "-connect"));
			executor.allowCoreThreadTimeOut(true);
			this.acquirer = executor;
		}
		else {
			this.acquirer = null;
		}
	}

	String component() {
		return this.component;
	}

	CircuitBreaker breaker() {
		return this.breaker;
	}

	long connectMillis() {
		return this.connectMillis;
	}

	/**
	 * Refuse at once what would wait for a database that just did not answer: this thread's last statement (the
	 * same call), or the open breaker. Checked before the breaker so that a refusal never takes the trial slot.
	 * @throws CacheAccessException if the call must not go to the database now
	 */
	void checkAvailable(String table) {
		long last = this.lastFailure.get()[0];
		if (last != 0 && System.nanoTime() - last < TimeUnit.MILLISECONDS.toNanos(SAME_CALL_MILLIS)) {
			throw new CacheAccessException("Cache table '" + table + "': the database did not answer this thread's"
					+ " previous statement " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last) + " ms ago");
		}
		if (!this.breaker.tryAcquire()) {
			throw new CacheAccessException("Cache table '" + table + "': the database is not answering ("
					+ this.breaker.consecutiveFailures() + " failures in a row); calls are misses for another "
					+ this.breaker.retryIn().toMillis() + " ms");
		}
	}

	/**
	 * A connection, within the connect timeout.
	 */
	Connection acquire() throws SQLException {
		if (this.ownPool != null) {
			return this.ownPool.getConnection();
		}
		if (this.embedded) {
			return this.dataSource.getConnection();
		}
		return acquireBounded();
	}

	/**
	 * Learn from a connection's URL whether the database is embedded in this JVM (H2 without a server), where
	 * getting a connection needs no bound: a hop to another thread would cost more than the statement.
	 */
	void learnUrl(@Nullable String url) {
		String lower = (url != null) ? url.toLowerCase(java.util.Locale.ROOT) : "";
		this.embedded = lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:tcp:")
				&& !lower.startsWith("jdbc:h2:ssl:") && !lower.contains("auto_server=true");
	}

	private Connection acquireBounded() throws SQLException {
		CompletableFuture<Connection> result = new CompletableFuture<>();
		try {
			this.acquirer.execute(() -> {
				if (result.isDone()) {
					return;
				}
				try {
					Connection connection = this.dataSource.getConnection();
					if (!result.complete(connection)) {
						// The caller gave up waiting: nobody will use or close it.
						closeQuietly(connection);
					}
				}
				catch (Throwable ex) {
					result.completeExceptionally(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			throw new SQLTransientConnectionException("too many cache calls waiting for a connection", "08001", ex);
		}
		try {
			return result.get(this.connectMillis, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			SQLTransientConnectionException timeout = new SQLTransientConnectionException(
					"no connection from the DataSource within " + this.connectMillis + " ms", "08001", ex);
			if (result.completeExceptionally(timeout)) {
				throw timeout;
			}
			// It arrived just now.
			return joined(result);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			if (!result.completeExceptionally(ex)) {
				closeQuietly(joined(result));
			}
			throw new SQLTransientConnectionException("interrupted while waiting for a connection", "08001", ex);
		}
		catch (ExecutionException ex) {
			throw asSqlException(ex.getCause());
		}
	}

	private static Connection joined(CompletableFuture<Connection> result) throws SQLException {
		try {
			return result.join();
		}
		catch (RuntimeException ex) {
			throw asSqlException((ex.getCause() != null) ? ex.getCause() : ex);
		}
	}

	private static SQLException asSqlException(Throwable ex) {
		if (ex instanceof SQLException sql) {
			return sql;
		}
		if (ex instanceof RuntimeException runtime) {
			throw runtime;
		}
		return new SQLTransientConnectionException(String.valueOf(ex), "08001", ex);
	}

	/**
	 * Bound every read of this connection's socket (skipped where the driver cannot, e.g. embedded H2).
	 */
	void setNetworkTimeout(Connection connection) throws SQLException {
		if (this.networkTimeoutUnsupported) {
			return;
		}
		try {
			if (connection.getNetworkTimeout() != this.networkTimeoutMillis) {
				connection.setNetworkTimeout(Helpers.NETWORK, this.networkTimeoutMillis);
			}
		}
		catch (SQLFeatureNotSupportedException | AbstractMethodError | UnsupportedOperationException ex) {
			this.networkTimeoutUnsupported = true;
		}
	}

	/**
	 * On PostgreSQL, start the query timeout of one action as a cancel from our own thread (the statements get no
	 * JDBC query timeout): pgjdbc's own timeout makes the statement wait until its cancel has been delivered, which
	 * on a hung server takes its {@code cancelSignalTimeout} (10 s). The network timeout ends the caller's wait;
	 * the cancel stops a slow statement on a live server.
	 * @return the timer to {@linkplain #stopCancel stop}, or {@code null} if the driver is not pgjdbc
	 */
	@Nullable ScheduledFuture<?> startPostgresCancel(Connection connection) {
		Method cancel = Helpers.PG_CANCEL;
		if (cancel == null) {
			return null;
		}
		Object pg;
		try {
			pg = connection.unwrap(cancel.getDeclaringClass());
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
		return Helpers.timer().schedule(() -> {
			try {
				Helpers.cancels().execute(() -> {
					try {
						cancel.invoke(pg);
					}
					catch (IllegalAccessException | InvocationTargetException ex) {
						// The server could not be reached to cancel: the network timeout ends the caller's wait.
					}
				});
			}
			catch (RejectedExecutionException ex) {
				// Every cancel thread is stuck on a hung server: the network timeout ends the wait.
			}
		}, this.queryTimeoutMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Stop a PostgreSQL cancel timer.
	 * @return whether the connection may be reused: {@code false} if the cancel already started (it might hit the
	 * connection's next statement, so the connection must be discarded)
	 */
	static boolean stopCancel(@Nullable ScheduledFuture<?> timer) {
		return timer == null || timer.cancel(false);
	}

	/**
	 * Return a connection; one that must not be handed out again is evicted from its pool instead.
	 */
	void release(Connection connection, boolean reusable) {
		if (!reusable) {
			DataSource pool = (this.ownPool != null) ? this.ownPool : this.dataSource;
			try {
				if (!(HIKARI_PRESENT && HikariPools.evict(pool, connection))) {
					connection.abort(Helpers.NETWORK);
				}
			}
			catch (SQLException | RuntimeException ex) {
				// Closing below anyway.
			}
		}
		closeQuietly(connection);
	}

	/**
	 * A statement got no answer (timeout, no connection).
	 * @return whether this opened the breaker
	 */
	boolean failed() {
		this.lastFailure.get()[0] = System.nanoTime() | 1;
		return this.breaker.recordFailure();
	}

	/**
	 * The database answered (successfully or with an error of its own).
	 * @return whether this closed the breaker
	 */
	boolean answered() {
		long[] last = this.lastFailure.get();
		if (last[0] != 0) {
			last[0] = 0;
		}
		return this.breaker.recordSuccess();
	}

	/**
	 * What the health details and the endpoint show about the connections.
	 */
	String describe() {
		return (this.ownPool != null) ? "own pool" : "application DataSource";
	}

	@Override
	public void close() {
		if (this.ownPool != null) {
			HikariPools.close(this.ownPool);
		}
		if (this.acquirer != null) {
			this.acquirer.shutdownNow();
		}
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException | RuntimeException ex) {
			// A broken connection: its pool discards it.
		}
	}

	private static ThreadFactory daemonThreads(String name) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Shared helper threads, created on first use.
	 */
	private static final class Helpers {

		/** For drivers that run work for setNetworkTimeout and abort. */
		static final Executor NETWORK = new ThreadPoolExecutor(0, 2, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), daemonThreads("database-cache-network"));

		static final @Nullable Method PG_CANCEL = pgCancel();

		private static volatile @Nullable ScheduledThreadPoolExecutor timer;

		private static volatile @Nullable ThreadPoolExecutor cancels;

		private static @Nullable Method pgCancel() {
			try {
				Class<?> type = ClassUtils.forName("org.postgresql.PGConnection", ConnectionSource.class.getClassLoader());
				return type.getMethod("cancelQuery");
			}
			catch (ClassNotFoundException | LinkageError | NoSuchMethodException ex) {
				return null;
			}
		}

		static ScheduledThreadPoolExecutor timer() {
			ScheduledThreadPoolExecutor result = timer;
			if (result == null) {
				synchronized (Helpers.class) {
					result = timer;
					if (result == null) {
						result = new ScheduledThreadPoolExecutor(1, daemonThreads("database-cache-cancel-timer"));
						result.setRemoveOnCancelPolicy(true);
						timer = result;
					}
				}
			}
			return result;
		}

		static ThreadPoolExecutor cancels() {
			ThreadPoolExecutor result = cancels;
			if (result == null) {
				synchronized (Helpers.class) {
					result = cancels;
					if (result == null) {
						// A cancel on a hung server blocks its thread for the driver's cancelSignalTimeout: a few
						// threads at most, and no queue (a cancel that cannot start now is skipped).
						result = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
								daemonThreads("database-cache-cancel"));
						cancels = result;
					}
				}
			}
			return result;
		}

	}

	/**
	 * Whether pgjdbc's {@code PGConnection.cancelQuery()} is there to send a PostgreSQL query timeout's cancel.
	 */
	static boolean postgresCancelAvailable() {
		return Helpers.PG_CANCEL != null;
	}

}
