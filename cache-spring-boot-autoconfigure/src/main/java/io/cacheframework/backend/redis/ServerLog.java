package io.cacheframework.backend.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;

/**
 * The servers of one cache that are down, and one log line for each change: a WARN when a server goes down (its
 * connection is lost, it cannot be reached, or it stopped answering), an INFO when it is back. Failed calls in
 * between are counted and logged at most every few seconds by the backend, so an outage reads as two lines.
 */
final class ServerLog {

	private final Log logger;

	private final String alias;

	/** Down servers by name, with the {@link System#nanoTime()} they went down. */
	private final Map<String, Long> down = new ConcurrentHashMap<>();

	/** Set when the cache closes: the connections it closes are not outages. */
	private volatile boolean closed;

	/**
	 * @param logger the backend's logger
	 * @param alias the cache's alias
	 */
	ServerLog(Log logger, String alias) {
		this.logger = logger;
		this.alias = alias;
	}

	/**
	 * A server stopped answering; logged only if it was up.
	 * @param server the server's name
	 * @param role what it is for, e.g. {@code primary}, {@code replica}, {@code cluster node}
	 * @param reason why, e.g. {@code connection lost}
	 * @param consequence what the cache does meanwhile
	 */
	void down(String server, String role, String reason, String consequence) {
		if (!this.closed && this.down.putIfAbsent(server, System.nanoTime()) == null) {
			this.logger.warn("Cache '" + this.alias + "': redis " + role + " " + server + " is down (" + reason + "); "
					+ consequence + " until it is back");
		}
	}

	/**
	 * A server answered (or its connection was made again); logged only if it was down.
	 * @param server the server's name
	 * @param role what it is for
	 */
	void up(String server, String role) {
		if (this.down.isEmpty()) {
			return;
		}
		Long since = this.down.remove(server);
		if (since != null) {
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
			this.logger.info("Cache '" + this.alias + "': redis " + role + " " + server + " is back after "
					+ String.format("%.1f", millis / 1000.0) + " s");
		}
	}

	/**
	 * The cache is closing: log nothing more.
	 */
	void close() {
		this.closed = true;
	}

}
