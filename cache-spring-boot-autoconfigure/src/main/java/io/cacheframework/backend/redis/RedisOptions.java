package io.cacheframework.backend.redis;

import java.time.Duration;

import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.serializer.ValueCodec;
import org.jspecify.annotations.Nullable;

/**
 * Client settings of the Redis backend, bound from {@code app.caches.<alias>.options.*} (Django's {@code OPTIONS}
 * of {@code RedisCache}, which go to redis-py's connection pool). Where the {@code location} URL already says the
 * database, the credentials or the client name, the URL wins. The defaults suit a cache on the same network: short
 * timeouts, because a cache that waits is worse than a miss.
 *
 * @since 0.1.0
 */
public class RedisOptions {

	/**
	 * Whether the location lists seed nodes of a Redis Cluster rather than a primary and its replicas. Keys are then
	 * spread over the cluster's masters by hash slot, and multi-key calls are split by slot.
	 */
	private boolean cluster;

	/**
	 * Database number (SELECT) when the location URL names none. A Redis Cluster has database 0 only.
	 */
	private @Nullable Integer db;

	/**
	 * User name (Redis 6 ACL) when the location URL has no credentials.
	 */
	private @Nullable String username;

	/**
	 * Password (AUTH) when the location URL has no credentials.
	 */
	private @Nullable String password;

	/**
	 * Name the connections give themselves (CLIENT SETNAME), shown by CLIENT LIST, when the location URL names none.
	 */
	private @Nullable String clientName;

	/**
	 * Longest wait for a connection to a server: TCP, TLS and Redis's handshake (HELLO, AUTH, SELECT). Connections are
	 * made in the background: no cache call waits for one, only the start of the application waits once, this long at
	 * most (the first connection of a JVM loads Lettuce and Netty, which takes about a second).
	 */
	private Duration connectTimeout = Duration.ofSeconds(2);

	/**
	 * How long a single command may take before it counts as a failure (a miss for reads, a failed write for writes).
	 */
	private Duration operationTimeout = Duration.ofMillis(500);

	/**
	 * Commands in a row to one server that get no answer (timeouts, a lost connection) after which the server counts
	 * as hung: calls for it are misses at once for reconnect-delay, then one call tries it again. Replicas that count
	 * as hung are left out of reads.
	 */
	private int timeoutThreshold = 5;

	/**
	 * Longest wait between reconnect attempts to a server that is down (the wait grows from 100 ms up to this), and
	 * how long a hung server is avoided before it is tried again.
	 */
	private Duration reconnectDelay = Duration.ofSeconds(2);

	/**
	 * How values without a Python int, str or bytes form are written. "java" (the default) keeps Java types exactly:
	 * a Long, a Boolean, a Double, a String and byte[] are still what Django reads as int, bool, float, str and bytes,
	 * other values are Java-only. "pickle" writes what Django writes: maps, lists, sets, dates and decimals become
	 * Python dicts, lists, sets, dates and decimals (and read back as generic Java types), a Long is an int Django can
	 * incr.
	 */
	private ValueCodec.Format valueFormat = ValueCodec.Format.JAVA;

	/**
	 * Check the values, naming the option that is wrong.
	 * @throws InvalidCacheOptionException for a value the backend cannot use
	 */
	public void validate() {
		positive("connect-timeout", this.connectTimeout);
		positive("operation-timeout", this.operationTimeout);
		positive("reconnect-delay", this.reconnectDelay);
		if (this.timeoutThreshold < 1) {
			throw new InvalidCacheOptionException("timeout-threshold", "must be at least 1, got "
					+ this.timeoutThreshold);
		}
		if (this.db != null && this.db < 0) {
			throw new InvalidCacheOptionException("db", "must not be negative, got " + this.db);
		}
		if (this.cluster && this.db != null && this.db != 0) {
			throw new InvalidCacheOptionException("db", "a Redis Cluster has database 0 only, got " + this.db);
		}
		if (this.valueFormat == null) {
			throw new InvalidCacheOptionException("value-format", "must be java or pickle");
		}
	}

	private static void positive(String option, @Nullable Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidCacheOptionException(option, "must be positive, got " + value);
		}
	}

	/**
	 * Return whether the location lists seed nodes of a Redis Cluster.
	 * @return whether the location lists seed nodes of a Redis Cluster
	 */
	public boolean isCluster() {
		return this.cluster;
	}

	/**
	 * Set whether the location lists seed nodes of a Redis Cluster.
	 * @param cluster whether the location lists seed nodes of a Redis Cluster
	 */
	public void setCluster(boolean cluster) {
		this.cluster = cluster;
	}

	/**
	 * Return the database number used when the location names none.
	 * @return the database number, or {@code null} for the location's (0 by default)
	 */
	public @Nullable Integer getDb() {
		return this.db;
	}

	/**
	 * Set the database number used when the location names none.
	 * @param db the database number
	 */
	public void setDb(@Nullable Integer db) {
		this.db = db;
	}

	/**
	 * Return the user name used when the location has no credentials.
	 * @return the user name, or {@code null}
	 */
	public @Nullable String getUsername() {
		return this.username;
	}

	/**
	 * Set the user name used when the location has no credentials.
	 * @param username the user name
	 */
	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	/**
	 * Return the password used when the location has no credentials.
	 * @return the password, or {@code null}
	 */
	public @Nullable String getPassword() {
		return this.password;
	}

	/**
	 * Set the password used when the location has no credentials.
	 * @param password the password
	 */
	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	/**
	 * Return the client name used when the location names none.
	 * @return the client name, or {@code null}
	 */
	public @Nullable String getClientName() {
		return this.clientName;
	}

	/**
	 * Set the client name used when the location names none.
	 * @param clientName the client name
	 */
	public void setClientName(@Nullable String clientName) {
		this.clientName = clientName;
	}

	/**
	 * Return the longest wait for a connection to a server.
	 * @return the longest wait for a connection to a server
	 */
	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	/**
	 * Set the longest wait for a connection to a server.
	 * @param connectTimeout the longest wait for a connection to a server
	 */
	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	/**
	 * Return how long a single command may take.
	 * @return how long a single command may take
	 */
	public Duration getOperationTimeout() {
		return this.operationTimeout;
	}

	/**
	 * Set how long a single command may take.
	 * @param operationTimeout how long a single command may take
	 */
	public void setOperationTimeout(Duration operationTimeout) {
		this.operationTimeout = operationTimeout;
	}

	/**
	 * Return the commands in a row without an answer after which a server counts as hung.
	 * @return the commands in a row without an answer after which a server counts as hung
	 */
	public int getTimeoutThreshold() {
		return this.timeoutThreshold;
	}

	/**
	 * Set the commands in a row without an answer after which a server counts as hung.
	 * @param timeoutThreshold the commands in a row without an answer after which a server counts as hung
	 */
	public void setTimeoutThreshold(int timeoutThreshold) {
		this.timeoutThreshold = timeoutThreshold;
	}

	/**
	 * Return the longest wait between reconnect attempts, and how long a hung server is avoided.
	 * @return the longest wait between reconnect attempts
	 */
	public Duration getReconnectDelay() {
		return this.reconnectDelay;
	}

	/**
	 * Set the longest wait between reconnect attempts, and how long a hung server is avoided.
	 * @param reconnectDelay the longest wait between reconnect attempts
	 */
	public void setReconnectDelay(Duration reconnectDelay) {
		this.reconnectDelay = reconnectDelay;
	}

	/**
	 * Return how values without a Python int, str or bytes form are written.
	 * @return how values without a Python int, str or bytes form are written
	 */
	public ValueCodec.Format getValueFormat() {
		return this.valueFormat;
	}

	/**
	 * Set how values without a Python int, str or bytes form are written.
	 * @param valueFormat how values without a Python int, str or bytes form are written
	 */
	public void setValueFormat(ValueCodec.Format valueFormat) {
		this.valueFormat = valueFormat;
	}

}
