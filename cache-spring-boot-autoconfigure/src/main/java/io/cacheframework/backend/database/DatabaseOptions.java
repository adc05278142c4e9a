package io.cacheframework.backend.database;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.cacheframework.core.InvalidCacheOptionException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;

/**
 * The database backend's options, bound from {@code app.caches.<alias>.options.*} (besides {@code max-entries} and
 * {@code cull-frequency}, which every culling backend takes): which data sources, and the timeouts, pool, circuit
 * breaker and limits that bound every call. The defaults suit a cache in a request path.
 *
 * <p>A statement waits at most {@code connect-timeout} for a connection (plus 250 ms for its pool to check an idle
 * one), then {@code query-timeout} (plus 250 ms for the server's own cancel to arrive): with the defaults 3.5 s at
 * worst, and not at all once the database has not answered {@code timeout-threshold} times in a row.
 *
 * <p>A mutable bean: the backend checks it ({@link #validate()}) and copies what it needs when it is built.
 *
 * @since 0.1.0
 */
public class DatabaseOptions {

	private static final int MAX_POOL_SIZE = 1000;

	private static final long MIN_CONNECT_TIMEOUT_MILLIS = 250;

	private static final long MAX_VALUE_BYTES = Integer.MAX_VALUE - 8;

	/**
	 * Name of the DataSource bean that holds the cache table: writes, and table creation by createcachetable.
	 * Default: the primary DataSource.
	 */
	private @Nullable String datasource;

	/**
	 * Name of the DataSource bean that get, get-many and has-key read from (a replica). Default: the same as
	 * datasource.
	 */
	private @Nullable String readDatasource;

	/**
	 * Timeout of each cache statement; a statement that takes longer is cancelled and counts as a miss or a failed
	 * write. Whole seconds (JDBC's granularity), at least 1 second; a bare number is seconds. The socket of a
	 * database that does not answer at all times out 250 ms later.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration queryTimeout = Duration.ofSeconds(2);

	/**
	 * Longest wait for a connection, at least 250ms: from the cache's own pool, or from the application's DataSource
	 * when the cache has none. Also the driver's connect and login timeout of the cache's own pool, unless its URL
	 * sets them.
	 */
	private Duration connectTimeout = Duration.ofSeconds(1);

	/**
	 * Size of the cache's own connection pool, built from the application's Hikari pool (same URL, credentials and
	 * settings; its own connections), so that cache calls never wait for connections the application's transactions
	 * hold. 0 = use the application's DataSource as it is (the wait for a connection is still bounded by
	 * connect-timeout). Without a Hikari DataSource the cache has no pool of its own whatever this says.
	 */
	private int poolSize = 4;

	/**
	 * Statements in a row that get no answer (timeouts, no connection) after which the database counts as down:
	 * calls are misses at once for reconnect-delay, then one call tries again.
	 */
	private int timeoutThreshold = 3;

	/**
	 * How long calls are misses at once once the database counts as down, before one call tries again.
	 */
	private Duration reconnectDelay = Duration.ofSeconds(2);

	/**
	 * The cache.size meter and the endpoint's entries and bytes count the table (a full scan) at most once per this
	 * interval, and never while the database is down; 0 counts on every read. A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration sizeRefreshInterval = Duration.ofSeconds(30);

	/**
	 * Largest serialized value stored, in bytes: a larger value is not cached (that set fails), and a row whose
	 * stored value is larger is a miss and is deleted, refused by its stored length before it is read. Lowered to
	 * what the database takes in one statement: on MariaDB and MySQL half of max_allowed_packet less 4096 bytes
	 * (read once, when the cache first reaches the database), on PostgreSQL 512 MiB less 64 KiB, on H2 10^9.
	 */
	private long maxValueBytes = 64L * 1024 * 1024;

	/**
	 * Count the table's rows (to cull) at most once per this many writes. 0 = max-entries / 100, between 1 and
	 * 10000: with max-entries 300 or less this culls exactly as Django does.
	 */
	private int cullCheckInterval;

	/**
	 * Return the name of the DataSource bean that holds the table.
	 * @return the bean name, or {@code null} for the primary DataSource
	 */
	public @Nullable String getDatasource() {
		return this.datasource;
	}

	/**
	 * Set the name of the DataSource bean that holds the table.
	 * @param datasource the bean name, or {@code null} for the primary DataSource
	 */
	public void setDatasource(@Nullable String datasource) {
		this.datasource = datasource;
	}

	/**
	 * Return the name of the DataSource bean reads go to.
	 * @return the bean name, or {@code null} for the same as {@link #getDatasource()}
	 */
	public @Nullable String getReadDatasource() {
		return this.readDatasource;
	}

	/**
	 * Set the name of the DataSource bean reads go to.
	 * @param readDatasource the bean name, or {@code null} for the same as {@link #getDatasource()}
	 */
	public void setReadDatasource(@Nullable String readDatasource) {
		this.readDatasource = readDatasource;
	}

	/**
	 * Return the timeout of each statement.
	 * @return the timeout
	 */
	public Duration getQueryTimeout() {
		return this.queryTimeout;
	}

	/**
	 * Set the timeout of each statement (rounded up to whole seconds, at least 1).
	 * @param queryTimeout the timeout
	 */
	public void setQueryTimeout(Duration queryTimeout) {
		this.queryTimeout = queryTimeout;
	}

	/**
	 * Return the longest wait for a connection.
	 * @return the timeout
	 */
	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	/**
	 * Set the longest wait for a connection (at least 250 ms).
	 * @param connectTimeout the timeout
	 */
	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	/**
	 * Return the size of the cache's own pool.
	 * @return the size, 0 for none
	 */
	public int getPoolSize() {
		return this.poolSize;
	}

	/**
	 * Set the size of the cache's own pool; 0 uses the application's data source as it is.
	 * @param poolSize the size
	 */
	public void setPoolSize(int poolSize) {
		this.poolSize = poolSize;
	}

	/**
	 * Return the unanswered statements in a row that open the circuit breaker.
	 * @return the threshold
	 */
	public int getTimeoutThreshold() {
		return this.timeoutThreshold;
	}

	/**
	 * Set the unanswered statements in a row that open the circuit breaker (at least 1).
	 * @param timeoutThreshold the threshold
	 */
	public void setTimeoutThreshold(int timeoutThreshold) {
		this.timeoutThreshold = timeoutThreshold;
	}

	/**
	 * Return how long the circuit breaker stays open before one call tries again.
	 * @return the delay
	 */
	public Duration getReconnectDelay() {
		return this.reconnectDelay;
	}

	/**
	 * Set how long the circuit breaker stays open (positive).
	 * @param reconnectDelay the delay
	 */
	public void setReconnectDelay(Duration reconnectDelay) {
		this.reconnectDelay = reconnectDelay;
	}

	/**
	 * Return how often the table's size may be counted.
	 * @return the interval
	 */
	public Duration getSizeRefreshInterval() {
		return this.sizeRefreshInterval;
	}

	/**
	 * Set how often the table's size may be counted (0: on every read).
	 * @param sizeRefreshInterval the interval
	 */
	public void setSizeRefreshInterval(Duration sizeRefreshInterval) {
		this.sizeRefreshInterval = sizeRefreshInterval;
	}

	/**
	 * Return the largest serialized value, in bytes.
	 * @return the limit
	 */
	public long getMaxValueBytes() {
		return this.maxValueBytes;
	}

	/**
	 * Set the largest serialized value, in bytes (1 to {@code Integer.MAX_VALUE - 8}); the database's own limit
	 * applies where it is lower.
	 * @param maxValueBytes the limit
	 */
	public void setMaxValueBytes(long maxValueBytes) {
		this.maxValueBytes = maxValueBytes;
	}

	/**
	 * Return the cull-check interval.
	 * @return writes between counts, 0 for {@code max-entries / 100}
	 */
	public int getCullCheckInterval() {
		return this.cullCheckInterval;
	}

	/**
	 * Set the cull-check interval.
	 * @param cullCheckInterval writes between counts, 0 for {@code max-entries / 100}
	 */
	public void setCullCheckInterval(int cullCheckInterval) {
		this.cullCheckInterval = cullCheckInterval;
	}

	/**
	 * Set the timeout of each statement.
	 * @param queryTimeout the timeout
	 * @return these options
	 */
	public DatabaseOptions queryTimeout(Duration queryTimeout) {
		setQueryTimeout(queryTimeout);
		return this;
	}

	/**
	 * Set the longest wait for a connection.
	 * @param connectTimeout the timeout
	 * @return these options
	 */
	public DatabaseOptions connectTimeout(Duration connectTimeout) {
		setConnectTimeout(connectTimeout);
		return this;
	}

	/**
	 * Set the size of the cache's own pool.
	 * @param poolSize the size, 0 for none
	 * @return these options
	 */
	public DatabaseOptions poolSize(int poolSize) {
		setPoolSize(poolSize);
		return this;
	}

	/**
	 * Set the circuit breaker's threshold.
	 * @param timeoutThreshold unanswered statements in a row
	 * @return these options
	 */
	public DatabaseOptions timeoutThreshold(int timeoutThreshold) {
		setTimeoutThreshold(timeoutThreshold);
		return this;
	}

	/**
	 * Set how long the circuit breaker stays open.
	 * @param reconnectDelay the delay
	 * @return these options
	 */
	public DatabaseOptions reconnectDelay(Duration reconnectDelay) {
		setReconnectDelay(reconnectDelay);
		return this;
	}

	/**
	 * Set how often the table's size may be counted.
	 * @param sizeRefreshInterval the interval
	 * @return these options
	 */
	public DatabaseOptions sizeRefreshInterval(Duration sizeRefreshInterval) {
		setSizeRefreshInterval(sizeRefreshInterval);
		return this;
	}

	/**
	 * Set the largest serialized value.
	 * @param maxValueBytes bytes
	 * @return these options
	 */
	public DatabaseOptions maxValueBytes(long maxValueBytes) {
		setMaxValueBytes(maxValueBytes);
		return this;
	}

	/**
	 * Set the cull-check interval.
	 * @param cullCheckInterval writes between counts, 0 for {@code max-entries / 100}
	 * @return these options
	 */
	public DatabaseOptions cullCheckInterval(int cullCheckInterval) {
		setCullCheckInterval(cullCheckInterval);
		return this;
	}

	/**
	 * Check every option; the backend does when it is built.
	 * @throws InvalidCacheOptionException naming the first option out of range
	 */
	public void validate() {
		require(this.queryTimeout != null && this.queryTimeout.toMillis() > 0, "query-timeout",
				"must be positive, got " + this.queryTimeout);
		require(this.connectTimeout != null && this.connectTimeout.toMillis() >= MIN_CONNECT_TIMEOUT_MILLIS,
				"connect-timeout", "must be at least 250ms, got " + this.connectTimeout);
		require(this.poolSize >= 0 && this.poolSize <= MAX_POOL_SIZE, "pool-size",
				"must be between 0 and " + MAX_POOL_SIZE + ", got " + this.poolSize);
		require(this.timeoutThreshold >= 1, "timeout-threshold", "must be at least 1, got " + this.timeoutThreshold);
		require(this.reconnectDelay != null && this.reconnectDelay.toMillis() > 0, "reconnect-delay",
				"must be positive, got " + this.reconnectDelay);
		require(this.sizeRefreshInterval != null && !this.sizeRefreshInterval.isNegative(), "size-refresh-interval",
				"must not be negative, got " + this.sizeRefreshInterval);
		require(this.maxValueBytes >= 1 && this.maxValueBytes <= MAX_VALUE_BYTES, "max-value-bytes",
				"must be between 1 and " + MAX_VALUE_BYTES + ", got " + this.maxValueBytes);
		require(this.cullCheckInterval >= 0, "cull-check-interval",
				"must not be negative, got " + this.cullCheckInterval);
	}

	/**
	 * The query timeout as JDBC takes it: whole seconds, rounded up, at least one.
	 */
	int queryTimeoutSeconds() {
		return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 1000, (this.queryTimeout.toMillis() + 999) / 1000));
	}

	private static void require(boolean valid, String option, String message) {
		if (!valid) {
			throw new InvalidCacheOptionException(option, message);
		}
	}

}
