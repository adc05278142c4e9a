package io.cacheframework.backend.memcached;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;

/**
 * The servers of one cache that are down, and one log line for each change: a WARN when a server goes down, an INFO
 * when it is back. Every failed call and every reconnect attempt in between is silent here (failed calls are counted
 * and logged at most every few seconds by the backend), so an outage reads as two lines, not a stream.
 */
final class ServerLog {

	private final Log logger;

	private final String alias;

	private final boolean redistributes;

	/** Down servers by address, with the {@link System#nanoTime()} they went down. */
	private final Map<String, Long> down = new ConcurrentHashMap<>();

	/**
	 * @param logger the backend's logger
	 * @param alias the cache's alias
	 * @param redistributes whether other servers take a down server's keys
	 */
	ServerLog(Log logger, String alias, boolean redistributes) {
		this.logger = logger;
		this.alias = alias;
		this.redistributes = redistributes;
	}

	String alias() {
		return this.alias;
	}

	/**
	 * A server stopped answering; logged only if it was up.
	 * @param address {@code host:port} or the unix socket path
	 * @param reason why, e.g. {@code connection lost}
	 */
	void down(String address, String reason) {
		if (this.down.putIfAbsent(address, System.nanoTime()) == null) {
			this.logger.warn("Cache '" + this.alias + "': memcached server " + address + " is down (" + reason + "); "
					+ (this.redistributes ? "its keys go to the other servers" : "calls for its keys are misses")
					+ " until it is back");
		}
	}

	/**
	 * A server answered (or reconnected after it was lost); logged only if it was down.
	 * @param address {@code host:port} or the unix socket path
	 */
	void up(String address) {
		if (this.down.isEmpty()) {
			return;
		}
		Long since = this.down.remove(address);
		if (since != null) {
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
			this.logger.info("Cache '" + this.alias + "': memcached server " + address + " is back after "
					+ String.format("%.1f", millis / 1000.0) + " s");
		}
	}

	/**
	 * A detail for whoever debugs this cache.
	 * @param message what happened
	 * @param ex why
	 */
	void debug(String message, Exception ex) {
		if (this.logger.isDebugEnabled()) {
			this.logger.debug("Cache '" + this.alias + "': " + message, ex);
		}
	}

	/**
	 * Hosts that cannot be resolved at startup: a configuration error most of the time, so an ERROR, once.
	 * @param hosts {@code host:port} of each
	 * @param retryMillis how often they are resolved again
	 */
	void unresolvable(List<String> hosts, long retryMillis) {
		this.logger.error("Cache '" + this.alias + "': memcached host(s) " + hosts + " cannot be resolved; they are "
				+ "left out and resolved again every " + retryMillis + " ms (the JVM caches a failed lookup for "
				+ "networkaddress.cache.negative.ttl, 10 s by default); meanwhile "
				+ (this.redistributes ? "their keys go to the other servers" : "calls for their keys are misses"));
	}

	/**
	 * A host left out at startup now resolves and is used.
	 * @param host {@code host:port}
	 * @param address what it resolved to
	 */
	void resolved(String host, String address) {
		this.logger.info("Cache '" + this.alias + "': memcached host " + host + " now resolves to " + address
				+ " and is used from now on");
	}

}
