package io.cacheframework.backend.memcached;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CircuitBreaker;

/**
 * What both transports do when a memcached server goes away, in one place:
 * <ul>
 * <li><b>where a key goes</b> while servers are down: with {@code failure-mode: redistribute}, to the server the
 * {@link KeyPlacement} gives once the dead ones are out; otherwise nowhere (a miss at once);</li>
 * <li><b>fail-fast</b>: each server has a {@link CircuitBreaker}, opened by {@code timeout-threshold} timeouts in a
 * row (a hung server) or at once by a refused connection; while it is open, calls for the server are refused without
 * I/O, and after {@code reconnect-delay} one call tries it again;</li>
 * <li><b>one log line</b> when a server goes down and one when it is back ({@link ServerLog});</li>
 * <li><b>flush after an outage</b> (opt-in): a server that was down or hung is emptied before it is used again, by
 * one caller; the others are refused while it flushes.</li>
 * </ul>
 * The transports decide what counts: a timeout, an answer, a refused or a lost connection.
 */
final class OutagePolicy {

	private final ServerLog log;

	private final boolean redistribute;

	private final boolean flushAfterOutage;

	private final int threshold;

	private final Duration openTime;

	private final Map<String, Server> servers = new ConcurrentHashMap<>();

	/**
	 * @param options the failure mode, threshold, reconnect delay and flush-after-outage
	 * @param log the cache's server log
	 */
	OutagePolicy(MemcachedOptions options, ServerLog log) {
		this.log = log;
		this.redistribute = options.getFailureMode() == MemcachedOptions.FailureMode.REDISTRIBUTE;
		this.flushAfterOutage = options.isFlushAfterOutage();
		this.threshold = options.getTimeoutThreshold();
		// A zero delay would retry a dead server on every call: at least 100 ms between attempts.
		this.openTime = Duration.ofMillis(Math.max(100, options.getReconnectDelay().toMillis()));
	}

	ServerLog log() {
		return this.log;
	}

	/**
	 * How long a server that is down is left alone before it is tried again.
	 * @return the reconnect delay, at least 100 ms
	 */
	Duration retryDelay() {
		return this.openTime;
	}

	/**
	 * The health of a server, the same object for the life of the cache (clients rebuilt after a host resolved keep
	 * their servers' breakers).
	 * @param address {@code host:port} as configured, or the unix socket path
	 * @return the server
	 */
	Server server(String address) {
		return this.servers.computeIfAbsent(address,
				(name) -> new Server(name, new CircuitBreaker(this.threshold, this.openTime)));
	}

	// ---------------------------------------------------------------- where keys go

	/**
	 * The server a call for a key goes to now.
	 * @param placement the placement over the servers in use
	 * @param key the made key
	 * @param live whether the server with a given index is live
	 * @return the server's index, or {@code -1} if the key has no live server
	 */
	int serverFor(KeyPlacement placement, String key, IntPredicate live) {
		int primary = placement.serverFor(key);
		if (live.test(primary)) {
			return primary;
		}
		return this.redistribute ? placement.serverFor(key, live) : -1;
	}

	/**
	 * Keys grouped by the server each goes to now, for one request per server.
	 * @param placement the placement over the servers in use
	 * @param keys the made keys
	 * @param live whether the server with a given index is live
	 * @return the groups, and the keys that have no live server
	 */
	Placed place(KeyPlacement placement, Collection<String> keys, IntPredicate live) {
		Map<Integer, List<String>> byServer = new LinkedHashMap<>();
		List<String> down = new ArrayList<>(0);
		for (String key : keys) {
			int server = serverFor(placement, key, live);
			if (server < 0) {
				down.add(key);
			}
			else {
				byServer.computeIfAbsent(server, (index) -> new ArrayList<>()).add(key);
			}
		}
		return new Placed(byServer, down);
	}

	// ---------------------------------------------------------------- before a call

	/**
	 * Refuse a call at once while the server's breaker is open (the one call that tries it again after
	 * {@code reconnect-delay} goes through, and must report its outcome).
	 * @param server the server
	 * @throws CacheAccessException if the call must not go to the server now
	 */
	void checkAvailable(Server server) {
		if (!server.breaker.tryAcquire()) {
			throw new CacheAccessException("memcached server " + server.address + " is down or not answering ("
					+ server.breaker.consecutiveFailures() + " failures in a row); calls for its keys are misses for "
					+ "another " + server.breaker.retryIn().toMillis() + " ms");
		}
	}

	/**
	 * With flush-after-outage, empty a server that was down or hung before anything is read from it again: one
	 * caller flushes, waiting for it; the others are refused until it has.
	 * @param server the server
	 * @param flush sends {@code flush_all} to it and waits for {@code OK}, within the call's time
	 * @param <E> what the flush throws
	 * @throws E if the flush failed (the server stays due for a flush)
	 * @throws CacheAccessException if another caller is flushing it
	 */
	<E extends Exception> void flushIfDue(Server server, Flush<E> flush) throws E {
		if (!server.isFlushDue()) {
			return;
		}
		if (!server.flushing.compareAndSet(false, true)) {
			throw new CacheAccessException("memcached server " + server.address + " is being flushed after an outage");
		}
		try {
			int outage = server.outages.get();
			if (outage != server.flushedThrough) {
				flush.run();
				server.flushedThrough = outage;
			}
		}
		finally {
			server.flushing.set(false);
		}
	}

	// ---------------------------------------------------------------- what happened

	/**
	 * The server answered (successfully or with an error of its own).
	 * @param server the server
	 */
	void answered(Server server) {
		server.breaker.recordSuccess();
		if (server.breaker.state() == CircuitBreaker.State.CLOSED) {
			this.log.up(server.address);
		}
	}

	/**
	 * A call got no answer within the timeout.
	 * @param server the server
	 * @return whether this made the server count as hung (its breaker opened)
	 */
	boolean timedOut(Server server) {
		boolean opened = server.breaker.recordFailure();
		if (opened) {
			down(server, server.breaker.consecutiveFailures() + " timeouts in a row");
		}
		return opened;
	}

	/**
	 * The server refused a connection (nothing listens, no socket file): down at once.
	 * @param server the server
	 * @param reason why, for the log
	 */
	void refused(Server server, String reason) {
		server.breaker.trip();
		down(server, reason);
	}

	/**
	 * The client lost its connection to the server, or could not make it; the client reconnects by itself.
	 * @param server the server
	 * @param reason why, for the log
	 */
	void disconnected(Server server, String reason) {
		down(server, reason);
	}

	/**
	 * The client connected to the server again: it is back unless it still times out (a hung server accepts
	 * connections).
	 * @param server the server
	 */
	void reconnected(Server server) {
		if (server.breaker.consecutiveFailures() == 0) {
			this.log.up(server.address);
		}
	}

	/**
	 * Whether calls may go to the server now, for health and statistics (which never take the trial).
	 * @param server the server
	 * @return {@code false} while its breaker is open
	 */
	boolean isAvailable(Server server) {
		return !server.breaker.isOpen();
	}

	private void down(Server server, String reason) {
		if (this.flushAfterOutage) {
			server.outages.incrementAndGet();
		}
		this.log.down(server.address, reason);
	}

	/**
	 * One server's breaker and flush state.
	 */
	static final class Server {

		final String address;

		final CircuitBreaker breaker;

		/** Outages seen (with flush-after-outage), and the last one the server was flushed after. */
		final AtomicInteger outages = new AtomicInteger();

		volatile int flushedThrough;

		final AtomicBoolean flushing = new AtomicBoolean();

		Server(String address, CircuitBreaker breaker) {
			this.address = address;
			this.breaker = breaker;
		}

		boolean isFlushDue() {
			return this.outages.get() != this.flushedThrough;
		}

		@Override
		public String toString() {
			return this.address;
		}

	}

	/**
	 * Keys grouped by server.
	 * @param byServer keys by the index of the server they go to
	 * @param down keys that have no live server
	 */
	record Placed(Map<Integer, List<String>> byServer, List<String> down) {
	}

	/**
	 * A transport's {@code flush_all} of one server.
	 * @param <E> what it throws
	 */
	@FunctionalInterface
	interface Flush<E extends Exception> {

		void run() throws E;

	}

}
