package io.cacheframework.backend.database;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import javax.sql.DataSource;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CircuitBreaker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * How the database backend runs SQL: every statement on a connection of its own, in auto-commit mode, bounded in
 * time, with deadlocks (and upserts' duplicate-key races) retried, the circuit breaker of its data source told
 * whether the database answered, and any other failure turned into a {@link CacheAccessException}. It also learns
 * the database product (and MariaDB's and MySQL's {@code max_allowed_packet}) on the first statement and builds
 * the table's {@link Sql} for it.
 *
 * <p>Connections come from one {@link ConnectionSource} for writes and, when a separate read data source is
 * configured, one for reads; each has its own pool (or bounded borrowing), timeouts and breaker.
 */
final class Jdbc implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DatabaseCacheBackend.class);

	/** Attempts of a statement that deadlocked (or whose upsert raced a concurrent insert). */
	static final int MAX_ATTEMPTS = 5;

	/** The {@code max_allowed_packet} assumed when the server does not tell it: MySQL 5.5's default, 1 MiB. */
	static final long FALLBACK_MAX_ALLOWED_PACKET = 1024 * 1024;

	/** MariaDB's and MySQL's error for a statement over {@code max_allowed_packet}. */
	private static final int ER_NET_PACKET_TOO_LARGE = 1153;

	/** Rows per statement of a large delete. */
	static final int DELETE_BATCH_SIZE = 1000;

	private final String alias;

	private final String table;

	private final long maxValueBytes;

	private final int queryTimeoutSeconds;

	private final DataSource writeDataSource;

	private final DataSource readDataSource;

	private final ConnectionSource writes;

	private final ConnectionSource reads;

	private volatile @Nullable Sql sql;

	/** PostgreSQL with pgjdbc: the query timeout is a cancel from our own thread, not the statement's. */
	private volatile boolean postgresCancel;

	Jdbc(String alias, String table, DataSource writeDataSource, DataSource readDataSource, DatabaseOptions options) {
		this.alias = alias;
		this.table = table;
		this.maxValueBytes = options.getMaxValueBytes();
		this.queryTimeoutSeconds = options.queryTimeoutSeconds();
		this.writeDataSource = ownConnections(writeDataSource);
		this.readDataSource = ownConnections(readDataSource);
		String poolName = "cache-" + alias;
		this.writes = new ConnectionSource("table " + table, this.writeDataSource, poolName, options);
		if (this.readDataSource == this.writeDataSource) {
			this.reads = this.writes;
		}
		else {
			ConnectionSource reads;
			try {
				reads = new ConnectionSource("table " + table + " (read)", this.readDataSource, poolName + "-read",
						options);
			}
			catch (RuntimeException ex) {
				this.writes.close();
				throw ex;
			}
			this.reads = reads;
		}
	}

	private static DataSource ownConnections(DataSource dataSource) {
		// A transaction-aware proxy would hand out the caller's transactional connection: use its target.
		if (dataSource instanceof TransactionAwareDataSourceProxy proxy && proxy.getTargetDataSource() != null) {
			return proxy.getTargetDataSource();
		}
		return dataSource;
	}

	DataSource writeDataSource() {
		return this.writeDataSource;
	}

	DataSource readDataSource() {
		return this.readDataSource;
	}

	int queryTimeoutSeconds() {
		return this.queryTimeoutSeconds;
	}

	/**
	 * The connection sources: writes first, then reads if they are separate.
	 */
	List<ConnectionSource> sources() {
		return (this.reads == this.writes) ? List.of(this.writes) : List.of(this.writes, this.reads);
	}

	/**
	 * The table's statements, built on the first call from the product the write data source reports (and, on
	 * MariaDB and MySQL, its {@code max_allowed_packet}, which bounds the values written). Not under a lock: while
	 * the database is down, callers must not queue behind one another's attempt. Each statement of the detection is
	 * bounded like any other.
	 * @throws CacheAccessException if the database cannot be reached or is not supported
	 */
	Sql sql() {
		Sql sql = this.sql;
		if (sql == null) {
			Dialect dialect = detectDialect();
			sql = new Sql(dialect, this.table, this.maxValueBytes, maxAllowedPacket(dialect));
			synchronized (this) {
				if (this.sql != null) {
					return this.sql;
				}
				this.postgresCancel = sql.dialect == Dialect.POSTGRESQL && ConnectionSource.postgresCancelAvailable();
				this.sql = sql;
			}
			if (sql.maxValueBytes < this.maxValueBytes) {
				logger.info("Cache '" + this.alias + "' (database): values over " + sql.maxValueBytes
						+ " bytes are not stored, less than max-value-bytes (" + this.maxValueBytes + "): "
						+ sql.maxValueReason);
			}
		}
		return sql;
	}

	private Dialect detectDialect() {
		String[] product = run(this.writes, "connect", false, (connection) -> {
			DatabaseMetaData metaData = connection.getMetaData();
			return new String[] { metaData.getDatabaseProductName(), metaData.getDatabaseProductVersion(),
					metaData.getURL() };
		});
		this.writes.learnUrl(product[2]);
		try {
			return Dialect.of(product[0], product[1], product[2]);
		}
		catch (IllegalArgumentException ex) {
			throw new CacheAccessException(ex.getMessage(), ex);
		}
	}

	/**
	 * MariaDB's and MySQL's limit on one statement, as the server enforces it on the cache's connections. If the
	 * server answers the query with an error (a proxy that does not know it), the smallest default any version had.
	 * @return the limit in bytes, or 0 for a product without one
	 */
	private long maxAllowedPacket(Dialect dialect) {
		String query = dialect.maxAllowedPacketQuery();
		if (query == null) {
			return 0;
		}
		return run(this.writes, "connect", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, query); ResultSet rs = statement.executeQuery()) {
				if (rs.next() && rs.getLong(1) > 0) {
					return rs.getLong(1);
				}
			}
			catch (SQLException ex) {
				if (isNoAnswer(ex)) {
					throw ex;
				}
				logger.warn("Cache '" + this.alias + "' (database): could not read max_allowed_packet ("
						+ ex.getMessage() + "); values are limited as if it were " + FALLBACK_MAX_ALLOWED_PACKET
						+ " bytes");
			}
			return FALLBACK_MAX_ALLOWED_PACKET;
		});
	}

	/**
	 * Run an action on the read data source.
	 */
	<T> T read(String operation, JdbcAction<T> action) {
		return run(this.reads, operation, false, action);
	}

	/**
	 * Run an action on the write data source.
	 */
	<T> T write(String operation, JdbcAction<T> action) {
		return run(this.writes, operation, false, action);
	}

	/**
	 * Run an upsert on the write data source: a duplicate-key failure (H2's and MariaDB's race of two concurrent
	 * upserts of one key) is retried like a deadlock.
	 */
	<T> T upsert(String operation, JdbcAction<T> action) {
		return run(this.writes, operation, true, action);
	}

	/**
	 * Run on a connection of its own, in auto-commit mode: never the caller's transactional connection, so cache
	 * SQL never joins or aborts the caller's transaction. Deadlocks (and, for upserts, duplicate-key races) are
	 * retried; anything else becomes a {@link CacheAccessException}.
	 *
	 * <p>Bounded in time: getting the connection by the connect timeout, the statements by the query timeout and,
	 * when the server does not answer at all, by the network timeout on the socket. A statement that got no answer
	 * counts towards the source's circuit breaker; while it is open this fails at once.
	 */
	<T> T run(ConnectionSource source, String operation, boolean upsert, JdbcAction<T> action) {
		for (int attempt = 1;; attempt++) {
			source.checkAvailable(this.table);
			Connection connection;
			try {
				connection = source.acquire();
			}
			catch (SQLException ex) {
				noAnswer(source, ex);
				throw new CacheAccessException("Cache table '" + this.table + "': " + operation
						+ " got no connection within " + source.connectMillis() + " ms: " + ex.getMessage(), ex);
			}
			boolean reusable = true;
			try {
				source.setNetworkTimeout(connection);
				boolean autoCommit = connection.getAutoCommit();
				if (!autoCommit) {
					connection.setAutoCommit(true);
				}
				ScheduledFuture<?> cancel = this.postgresCancel ? source.startPostgresCancel(connection) : null;
				try {
					T result = action.run(connection);
					answered(source);
					return result;
				}
				finally {
					reusable = ConnectionSource.stopCancel(cancel);
					if (!autoCommit) {
						restoreManualCommit(connection);
					}
				}
			}
			catch (SQLException ex) {
				if (isNoAnswer(ex)) {
					noAnswer(source, ex);
				}
				else {
					answered(source);
				}
				if (isOverflow(ex)) {
					throw new ArithmeticException("incr of a cached Long overflows: " + ex.getMessage());
				}
				if (attempt < MAX_ATTEMPTS && (isDeadlock(ex) || (upsert && isDuplicateKey(ex)))) {
					continue;
				}
				throw new CacheAccessException("Cache table '" + this.table + "': " + operation + " failed: "
						+ ex.getMessage(), ex);
			}
			finally {
				source.release(connection, reusable);
			}
		}
	}

	/**
	 * Delete the rows matching a condition in batches of {@value #DELETE_BATCH_SIZE}, each a short statement within
	 * the query timeout, instead of one long one.
	 * @param operation the operation, for messages
	 * @param condition the condition, with at most one parameter
	 * @param parameter the condition's parameter ({@code Long} or {@code String}), or {@code null}
	 * @return the rows deleted
	 */
	long deleteInBatches(String operation, String condition, @Nullable Object parameter) {
		String statementSql = sql().limitedDelete(condition);
		long total = 0;
		while (true) {
			int deleted = write(operation, (connection) -> {
				try (PreparedStatement statement = prepare(connection, statementSql)) {
					int index = 1;
					if (parameter instanceof Long number) {
						statement.setLong(index++, number);
					}
					else if (parameter != null) {
						statement.setString(index++, (String) parameter);
					}
					statement.setInt(index, DELETE_BATCH_SIZE);
					return statement.executeUpdate();
				}
			});
			total += deleted;
			if (deleted < DELETE_BATCH_SIZE) {
				return total;
			}
		}
	}

	/**
	 * Prepare a statement with the query timeout (on PostgreSQL the timeout is our own cancel instead, see
	 * {@link ConnectionSource#startPostgresCancel}).
	 */
	PreparedStatement prepare(Connection connection, String sql) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql);
		if (!this.postgresCancel) {
			statement.setQueryTimeout(this.queryTimeoutSeconds);
		}
		return statement;
	}

	/**
	 * Run an action in one transaction: commit if it returns, roll back if it throws, and leave the connection's
	 * auto-commit mode as it was.
	 */
	static <T> @Nullable T inTransaction(Connection connection, JdbcAction<T> action) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(false);
		try {
			T result = action.run(connection);
			connection.commit();
			return result;
		}
		catch (SQLException | RuntimeException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setAutoCommit(autoCommit);
		}
	}

	private static void restoreManualCommit(Connection connection) {
		try {
			connection.setAutoCommit(false);
		}
		catch (SQLException ex) {
			// A broken connection: its pool discards it.
		}
	}

	private void noAnswer(ConnectionSource source, Exception ex) {
		if (source.failed()) {
			CircuitBreaker breaker = source.breaker();
			logger.warn("Cache '" + this.alias + "' (database): " + source.component() + " did not answer "
					+ breaker.threshold() + " times in a row (last: " + ex.getMessage() + "); its calls are misses"
					+ " at once for " + breaker.retryIn().toMillis() + " ms, then one call tries again");
		}
	}

	private void answered(ConnectionSource source) {
		if (source.answered()) {
			logger.info("Cache '" + this.alias + "' (database): " + source.component() + " answers again");
		}
	}

	/**
	 * Whether a failure means the database did not answer (it is down, hung, unreachable or too slow) rather than
	 * answering with an error of its own: a failed or timed-out connection, a query timeout, a socket error. A
	 * statement refused for its data is an answer even where the driver reports it as a connection error: MariaDB's
	 * "packet bigger than max_allowed_packet" (1153, which then closes the connection) and pgjdbc's refusal of a
	 * statement over 1 GB (22023, caused by an {@code IOException} though nothing was sent). The value limit keeps
	 * both from happening; this keeps one that does (a driver option, a replica set up differently) off the breaker.
	 */
	static boolean isNoAnswer(SQLException ex) {
		String state = ex.getSQLState();
		if (ex.getErrorCode() == ER_NET_PACKET_TOO_LARGE || (state != null && state.startsWith("22"))) {
			return false;
		}
		if (ex instanceof SQLTransientConnectionException || ex instanceof SQLNonTransientConnectionException
				|| ex instanceof SQLRecoverableException || ex instanceof SQLTimeoutException) {
			return true;
		}
		// 08: connection exceptions; 57014: query cancelled (timeout); 57P0x: server shutting down or starting;
		// 70100: MariaDB's interrupted query (max_statement_time); HYT0x: ODBC-style timeouts.
		if (state != null && (state.startsWith("08") || state.equals("57014") || state.startsWith("57P")
				|| state.equals("70100") || state.startsWith("HYT"))) {
			return true;
		}
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException) {
				return true;
			}
		}
		return false;
	}

	static boolean isDuplicateKey(SQLException ex) {
		String state = ex.getSQLState();
		// 23505: PostgreSQL and H2; 1062: MySQL/MariaDB; 90131: H2's concurrent MERGE of one key.
		return "23505".equals(state) || ex.getErrorCode() == 1062 || ex.getErrorCode() == 90131;
	}

	private static boolean isDeadlock(SQLException ex) {
		String state = ex.getSQLState();
		return "40001".equals(state) || "40P01".equals(state) || ex.getErrorCode() == 1213
				|| ex.getErrorCode() == 1205;
	}

	private static boolean isOverflow(SQLException ex) {
		return "22003".equals(ex.getSQLState()) || ex.getErrorCode() == 1690;
	}

	@Override
	public void close() {
		try {
			this.writes.close();
		}
		finally {
			if (this.reads != this.writes) {
				this.reads.close();
			}
		}
	}

	/**
	 * What runs on a connection.
	 *
	 * @param <T> the result
	 */
	@FunctionalInterface
	interface JdbcAction<T> {

		T run(Connection connection) throws SQLException;

	}

}
