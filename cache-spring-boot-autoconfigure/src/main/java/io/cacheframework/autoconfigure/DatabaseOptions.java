package io.cacheframework.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.cacheframework.backend.database.DatabaseCacheBackend;

import org.springframework.boot.convert.DurationUnit;

/**
 * The database backend's options, {@code app.caches.<alias>.options.*} (besides {@code max-entries} and
 * {@code cull-frequency}, which every culling backend takes).
 *
 * @since 0.1.0
 */
public class DatabaseOptions {

	private static final DatabaseCacheBackend.Options DEFAULTS = new DatabaseCacheBackend.Options();

	/**
	 * Name of the DataSource bean that holds the cache table: writes, and table creation by createcachetable. Default:
	 * the primary DataSource.
	 */
	private String datasource;

	/**
	 * Name of the DataSource bean that get, get-many and has-key read from (a replica). Default: the same as
	 * datasource.
	 */
	private String readDatasource;

	/**
	 * Timeout of each cache statement; a statement that takes longer is cancelled and counts as a miss or a failed
	 * write. Whole seconds (JDBC's granularity), at least 1 second. The socket of a database that does not answer at
	 * all times out 250 ms later.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration queryTimeout = DEFAULTS.getQueryTimeout();

	/**
	 * Longest wait for a connection, at least 250ms: from the cache's own pool, or from the application's
	 * DataSource when the cache has none. Also the driver's connect and login timeout of the cache's own pool.
	 */
	private Duration connectTimeout = DEFAULTS.getConnectTimeout();

	/**
	 * Size of the cache's own connection pool, built from the application's Hikari pool (same URL, credentials and
	 * settings; its own connections), so that cache calls never wait for connections the application's transactions
	 * hold. 0 = use the application's DataSource as it is (the wait for a connection is still bounded by
	 * connect-timeout).
	 */
	private int poolSize = DEFAULTS.getPoolSize();

	/**
	 * Statements in a row that get no answer (timeouts, no connection) after which the database counts as down:
	 * calls are misses at once for reconnect-delay, then one call tries again.
	 */
	private int timeoutThreshold = DEFAULTS.getTimeoutThreshold();

	/**
	 * How long calls are misses at once once the database counts as down, before one call tries again.
	 */
	private Duration reconnectDelay = DEFAULTS.getReconnectDelay();

	/**
	 * The cache.size meter and the endpoint's entries and bytes count the table (a full scan) at most once per this
	 * interval, and never while the database is down; 0 counts on every read.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration sizeRefreshInterval = DEFAULTS.getSizeRefreshInterval();

	/**
	 * Largest serialized value stored, in bytes: a larger value is not cached (that set fails), and a row whose
	 * stored value is larger is a miss and is deleted, refused by its stored length before it is read.
	 */
	private long maxValueBytes = DEFAULTS.getMaxValueBytes();

	/**
	 * Count the table's rows (to cull) at most once per this many writes. 0 = max-entries / 100, between 1 and 10000:
	 * with max-entries 300 or less this culls exactly as Django does.
	 */
	private int cullCheckInterval = DEFAULTS.getCullCheckInterval();

	public String getDatasource() {
		return this.datasource;
	}

	public void setDatasource(String datasource) {
		this.datasource = datasource;
	}

	public String getReadDatasource() {
		return this.readDatasource;
	}

	public void setReadDatasource(String readDatasource) {
		this.readDatasource = readDatasource;
	}

	public Duration getQueryTimeout() {
		return this.queryTimeout;
	}

	public void setQueryTimeout(Duration queryTimeout) {
		this.queryTimeout = queryTimeout;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public int getPoolSize() {
		return this.poolSize;
	}

	public void setPoolSize(int poolSize) {
		this.poolSize = poolSize;
	}

	public int getTimeoutThreshold() {
		return this.timeoutThreshold;
	}

	public void setTimeoutThreshold(int timeoutThreshold) {
		this.timeoutThreshold = timeoutThreshold;
	}

	public Duration getReconnectDelay() {
		return this.reconnectDelay;
	}

	public void setReconnectDelay(Duration reconnectDelay) {
		this.reconnectDelay = reconnectDelay;
	}

	public Duration getSizeRefreshInterval() {
		return this.sizeRefreshInterval;
	}

	public void setSizeRefreshInterval(Duration sizeRefreshInterval) {
		this.sizeRefreshInterval = sizeRefreshInterval;
	}

	public long getMaxValueBytes() {
		return this.maxValueBytes;
	}

	public void setMaxValueBytes(long maxValueBytes) {
		this.maxValueBytes = maxValueBytes;
	}

	public int getCullCheckInterval() {
		return this.cullCheckInterval;
	}

	public void setCullCheckInterval(int cullCheckInterval) {
		this.cullCheckInterval = cullCheckInterval;
	}

	/**
	 * The backend's options from these.
	 * @return new backend options
	 */
	DatabaseCacheBackend.Options toBackendOptions() {
		return new DatabaseCacheBackend.Options().queryTimeout(this.queryTimeout)
			.connectTimeout(this.connectTimeout)
			.poolSize(this.poolSize)
			.timeoutThreshold(this.timeoutThreshold)
			.reconnectDelay(this.reconnectDelay)
			.sizeRefreshInterval(this.sizeRefreshInterval)
			.maxValueBytes(this.maxValueBytes)
			.cullCheckInterval(this.cullCheckInterval);
	}

}
