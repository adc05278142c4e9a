package io.cacheframework.backend.memcached;

import java.time.Duration;

import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.serializer.ValueCodec;

import org.springframework.util.unit.DataSize;

/**
 * Client settings of the memcached backend, bound from {@code app.caches.<alias>.options.*}. The defaults suit a
 * cache on the same network: short timeouts, because a cache that waits is worse than a miss. Values that bind but
 * cannot work are refused by the backend's constructor with an {@link InvalidCacheOptionException} naming the
 * option.
 *
 * @since 0.1.0
 */
public class MemcachedOptions {

	/**
	 * How long a single operation may take before it counts as a failure (a miss for reads). spymemcached's
	 * default of 2.5 s is far too long for a cache in a request path.
	 */
	private Duration operationTimeout = Duration.ofMillis(500);

	/**
	 * How keys are spread over several servers, as the Django client sharing the cluster spreads them:
	 * "rendezvous" (Django's PyMemcacheCache, pymemcache's HashClient), "ketama" (PyLibMCCache with
	 * behaviors={"ketama": True}) or "modula" (PyLibMCCache with its default behaviours).
	 */
	private Distribution distribution = Distribution.RENDEZVOUS;

	/**
	 * How values without a text, integer or bytes form are written: "java" (Java types round-trip exactly; Python
	 * clients see bytes under a flag they do not unpickle) or "pickle" (maps, lists, sets, floats, booleans, decimals,
	 * big integers, dates and times as Python pickles, flag 1, that Django reads; they read back as generic Java
	 * types). Strings, Integers, Longs and byte arrays are written as Django writes them in both formats.
	 */
	private ValueCodec.Format valueFormat = ValueCodec.Format.JAVA;

	/**
	 * What happens to the keys of a server that is down: "redistribute" sends them where the distribution's Python
	 * client sends them once it has ejected the server (rendezvous: the best-scoring live server; ketama: the next
	 * live server on the continuum; modula never moves a key, so they are misses); "cancel" and "retry" keep the
	 * keys on their server and treat every call for them as a miss until it is back, as Django's clients do before
	 * they eject a server. Calls for a server that is down never wait.
	 */
	private FailureMode failureMode = FailureMode.REDISTRIBUTE;

	/**
	 * Wire protocol for TCP servers: "text" (what Django's clients speak) or "binary". Unix sockets always use text.
	 */
	private Protocol protocol = Protocol.TEXT;

	/**
	 * Number of connections to each server. Each connection has its own I/O thread; calls are spread over them.
	 */
	private int connections = 1;

	/**
	 * Longest wait between reconnect attempts to a server that is down (spymemcached backs off 2, 4, 8... seconds
	 * up to this). Also how long a hung server is avoided before it is tried again.
	 */
	private Duration reconnectDelay = Duration.ofSeconds(2);

	/**
	 * Consecutive timeouts after which a server counts as hung: calls for its keys fail fast (misses) and its
	 * connection is reopened. spymemcached's default of 998 means a hung server is never noticed.
	 */
	private int timeoutThreshold = 5;

	/**
	 * Values whose stored form is at least this large are zlib-compressed (memcached flag 8, as python-memcached
	 * writes) when that makes them smaller. 0 disables compression: do that when a Django application on
	 * pymemcache reads the same keys, because pymemcache cannot read compressed values.
	 */
	private DataSize compressionThreshold = DataSize.ofKilobytes(16);

	/**
	 * Flush a server (flush_all) when it answers again after it was down or hung, so that it cannot serve values
	 * that were overwritten or deleted elsewhere meanwhile (a partition or SIGSTOP keeps its memory). Off by
	 * default, as in Django; turn it on when stale values after an outage matter more than a cold server. It also
	 * flushes other applications' keys on that server.
	 */
	private boolean flushAfterOutage;

	/**
	 * The largest item the servers accept (memcached's -I, 1 MB by default). Larger values are not sent: the set
	 * fails alone, the key's old value is deleted, and the connection stays healthy. Read from the servers'
	 * "stats settings" at startup when they are reachable.
	 */
	private DataSize maxItemSize = DataSize.ofMegabytes(1);

	/**
	 * Return how keys are spread over several servers.
	 * @return how keys are spread over several servers
	 */
	public Distribution getDistribution() {
		return this.distribution;
	}

	/**
	 * Set how keys are spread over several servers.
	 * @param distribution how keys are spread over several servers
	 */
	public void setDistribution(Distribution distribution) {
		this.distribution = distribution;
	}

	/**
	 * Return how values without a text, integer or bytes form are written.
	 * @return how values without a text, integer or bytes form are written
	 */
	public ValueCodec.Format getValueFormat() {
		return this.valueFormat;
	}

	/**
	 * Set how values without a text, integer or bytes form are written.
	 * @param valueFormat how values without a text, integer or bytes form are written
	 */
	public void setValueFormat(ValueCodec.Format valueFormat) {
		this.valueFormat = valueFormat;
	}

	/**
	 * Return the operation timeout.
	 * @return the operation timeout
	 */
	public Duration getOperationTimeout() {
		return this.operationTimeout;
	}

	/**
	 * Set the operation timeout.
	 * @param operationTimeout the operation timeout
	 */
	public void setOperationTimeout(Duration operationTimeout) {
		this.operationTimeout = operationTimeout;
	}

	/**
	 * Return where the keys of a server that is down go.
	 * @return where the keys of a server that is down go
	 */
	public FailureMode getFailureMode() {
		return this.failureMode;
	}

	/**
	 * Set where the keys of a server that is down go.
	 * @param failureMode where the keys of a server that is down go
	 */
	public void setFailureMode(FailureMode failureMode) {
		this.failureMode = failureMode;
	}

	/**
	 * Return the wire protocol for TCP servers.
	 * @return the wire protocol for TCP servers
	 */
	public Protocol getProtocol() {
		return this.protocol;
	}

	/**
	 * Set the wire protocol for TCP servers.
	 * @param protocol the wire protocol for TCP servers
	 */
	public void setProtocol(Protocol protocol) {
		this.protocol = protocol;
	}

	/**
	 * Return the number of connections to each server.
	 * @return the number of connections to each server
	 */
	public int getConnections() {
		return this.connections;
	}

	/**
	 * Set the number of connections to each server.
	 * @param connections the number of connections to each server
	 */
	public void setConnections(int connections) {
		this.connections = connections;
	}

	/**
	 * Return the longest wait between reconnect attempts.
	 * @return the longest wait between reconnect attempts
	 */
	public Duration getReconnectDelay() {
		return this.reconnectDelay;
	}

	/**
	 * Set the longest wait between reconnect attempts.
	 * @param reconnectDelay the longest wait between reconnect attempts
	 */
	public void setReconnectDelay(Duration reconnectDelay) {
		this.reconnectDelay = reconnectDelay;
	}

	/**
	 * Return the consecutive timeouts after which a server counts as hung.
	 * @return the consecutive timeouts after which a server counts as hung
	 */
	public int getTimeoutThreshold() {
		return this.timeoutThreshold;
	}

	/**
	 * Set the consecutive timeouts after which a server counts as hung.
	 * @param timeoutThreshold the consecutive timeouts after which a server counts as hung
	 */
	public void setTimeoutThreshold(int timeoutThreshold) {
		this.timeoutThreshold = timeoutThreshold;
	}

	/**
	 * Return the size from which values are compressed (0: never).
	 * @return the size from which values are compressed (0: never)
	 */
	public DataSize getCompressionThreshold() {
		return this.compressionThreshold;
	}

	/**
	 * Set the size from which values are compressed (0: never).
	 * @param compressionThreshold the size from which values are compressed (0: never)
	 */
	public void setCompressionThreshold(DataSize compressionThreshold) {
		this.compressionThreshold = compressionThreshold;
	}

	/**
	 * Return the largest item the servers accept.
	 * @return the largest item the servers accept
	 */
	public DataSize getMaxItemSize() {
		return this.maxItemSize;
	}

	/**
	 * Set the largest item the servers accept.
	 * @param maxItemSize the largest item the servers accept
	 */
	public void setMaxItemSize(DataSize maxItemSize) {
		this.maxItemSize = maxItemSize;
	}

	/**
	 * Return whether a server is flushed when it answers again after an outage.
	 * @return whether a server is flushed when it answers again after an outage
	 */
	public boolean isFlushAfterOutage() {
		return this.flushAfterOutage;
	}

	/**
	 * Set whether a server is flushed when it answers again after an outage.
	 * @param flushAfterOutage whether a server is flushed when it answers again after an outage
	 */
	public void setFlushAfterOutage(boolean flushAfterOutage) {
		this.flushAfterOutage = flushAfterOutage;
	}

	/**
	 * Refuse values that bind but cannot work.
	 * @throws InvalidCacheOptionException naming the first option whose value is wrong
	 */
	void validate() {
		if (this.operationTimeout == null || this.operationTimeout.isNegative() || this.operationTimeout.isZero()) {
			throw new InvalidCacheOptionException("operation-timeout", "must be positive, got " + this.operationTimeout);
		}
		if (this.distribution == null) {
			throw new InvalidCacheOptionException("distribution", "must be rendezvous, ketama or modula");
		}
		if (this.valueFormat == null) {
			throw new InvalidCacheOptionException("value-format", "must be java or pickle");
		}
		if (this.failureMode == null) {
			throw new InvalidCacheOptionException("failure-mode", "must be redistribute, cancel or retry");
		}
		if (this.protocol == null) {
			throw new InvalidCacheOptionException("protocol", "must be text or binary");
		}
		if (this.connections < 1) {
			throw new InvalidCacheOptionException("connections", "must be at least 1, got " + this.connections);
		}
		if (this.reconnectDelay == null || this.reconnectDelay.isNegative()) {
			throw new InvalidCacheOptionException("reconnect-delay", "must not be negative, got " + this.reconnectDelay);
		}
		if (this.timeoutThreshold < 1) {
			throw new InvalidCacheOptionException("timeout-threshold",
					"must be at least 1, got " + this.timeoutThreshold);
		}
		if (this.compressionThreshold == null) {
			throw new InvalidCacheOptionException("compression-threshold", "must be a size, 0 for no compression");
		}
		if (this.maxItemSize == null) {
			throw new InvalidCacheOptionException("max-item-size", "must be a size");
		}
	}

	/**
	 * How keys are spread over several servers: each value places every key exactly where one of Django's memcached
	 * clients places it, so a Django application and this backend share a cluster key for key.
	 */
	public enum Distribution {

		/**
		 * pymemcache's {@code HashClient}, which Django's {@code PyMemcacheCache} uses: rendezvous hashing with
		 * MurmurHash3 of {@code "<host>:<port>-<key>"}, the highest score winning.
		 */
		RENDEZVOUS,

		/**
		 * libmemcached's Ketama continuum as pylibmc builds it with {@code behaviors={"ketama": True}}: 100 points
		 * per server, libmemcached's default one-at-a-time hash (not MD5, whatever pylibmc's documentation says; MD5
		 * only with {@code "ketama_weighted"}).
		 */
		KETAMA,

		/**
		 * libmemcached's default, which pylibmc and so Django's {@code PyLibMCCache} without behaviours uses: the
		 * one-at-a-time hash of the key modulo the number of servers.
		 */
		MODULA

	}

	/**
	 * Where the keys of a server that is down go.
	 */
	public enum FailureMode {

		/** Where the distribution's Python client sends them once it has ejected the server. */
		REDISTRIBUTE,

		/** Nowhere: misses until the server is back. */
		CANCEL,

		/** Nowhere: misses until the server is back (spymemcached's retry mode, minus the waiting). */
		RETRY

	}

	/**
	 * The memcached wire protocol for TCP servers.
	 */
	public enum Protocol {

		/** The text protocol, as Django's clients speak. */
		TEXT,

		/** The binary protocol (deprecated by memcached, needed for SASL). */
		BINARY

	}

}
