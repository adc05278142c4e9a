package io.cacheframework.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.convert.DurationUnit;

/**
 * The database backend's options, {@code app.caches.<alias>.options.*} (besides {@code max-entries} and
 * {@code cull-frequency}, which every culling backend takes).
 *
 * @since 0.1.0
 */
public class DatabaseOptions {

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
	 * write. Whole seconds (JDBC's granularity), at least 1 second.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration queryTimeout = Duration.ofSeconds(2);

	/**
	 * Count the table's rows (to cull) at most once per this many writes. 0 = max-entries / 100, between 1 and 10000:
	 * with max-entries 300 or less this culls exactly as Django does.
	 */
	private int cullCheckInterval;

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

	public int getCullCheckInterval() {
		return this.cullCheckInterval;
	}

	public void setCullCheckInterval(int cullCheckInterval) {
		this.cullCheckInterval = cullCheckInterval;
	}

}
