package io.cacheframework.backend.redis;

import java.time.Duration;

import io.cacheframework.core.CircuitBreaker;

/**
 * One Redis server as a cache sees it: its name ({@code host:port} or the socket path), what it is for, its circuit
 * breaker (a server that stops answering is avoided for {@code reconnect-delay}, then tried again by one call), and
 * the one-line logging of its outages.
 */
final class Server {

	private final String name;

	private final String role;

	private final String consequence;

	private final CircuitBreaker breaker;

	private final ServerLog log;

	/**
	 * @param name the server's name
	 * @param role what it is for: {@code primary}, {@code replica}, {@code cluster node}, {@code cluster}
	 * @param consequence what the cache does while it is down, for the log line
	 * @param threshold calls in a row without an answer that make it count as down
	 * @param avoidFor how long it is then avoided before one call tries it again
	 * @param log the cache's outage log
	 */
	Server(String name, String role, String consequence, int threshold, Duration avoidFor, ServerLog log) {
		this.name = name;
		this.role = role;
		this.consequence = consequence;
		this.breaker = new CircuitBreaker(threshold, avoidFor);
		this.log = log;
	}

	String name() {
		return this.name;
	}

	String role() {
		return this.role;
	}

	CircuitBreaker breaker() {
		return this.breaker;
	}

	/**
	 * Whether calls may go to this server now (its breaker is closed, or a trial is due).
	 */
	boolean isAvoided() {
		return this.breaker.isOpen();
	}

	/**
	 * A call got an answer (a value or an error of the server's own).
	 */
	void answered() {
		if (this.breaker.recordSuccess()) {
			this.log.up(this.name, this.role);
		}
	}

	/**
	 * A call got no answer: it timed out, or the connection failed under it.
	 * @param reason why, for the log line when this makes the server count as down
	 */
	void noAnswer(String reason) {
		if (this.breaker.recordFailure()) {
			this.log.down(this.name, this.role, reason, this.consequence);
		}
	}

	/**
	 * The connection was lost, or could not be made.
	 * @param reason why
	 */
	void disconnected(String reason) {
		this.log.down(this.name, this.role, reason, this.consequence);
	}

	/**
	 * A connection was made (again).
	 */
	void connected() {
		this.log.up(this.name, this.role);
	}

	@Override
	public String toString() {
		return "redis " + this.role + " " + this.name;
	}

}
