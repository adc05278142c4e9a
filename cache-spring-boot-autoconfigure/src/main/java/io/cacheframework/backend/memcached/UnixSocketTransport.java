package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import io.cacheframework.backend.memcached.OutagePolicy.Placed;
import io.cacheframework.backend.memcached.TextConnection.ProtocolException;
import io.cacheframework.backend.memcached.TextConnection.TimeoutIOException;
import io.cacheframework.core.CacheAccessException;
import org.jspecify.annotations.Nullable;

/**
 * memcached over unix domain sockets, with our own small text-protocol client.
 *
 * <p>Why not spymemcached: its connection code is TCP-only. A subclass of {@code MemcachedConnection} can open
 * {@code AF_UNIX} channels, but its reconnect path calls {@code SocketChannel.socket()}, which throws for unix
 * channels and kills the I/O thread, so the first memcached restart would turn every later call into a timeout
 * (SPRING-NOTES §6). Fixing that means copying spymemcached's source. A TCP-to-unix relay inside the JVM would
 * keep spymemcached but open a loopback TCP port that any local user could connect to, bypassing the socket
 * file's permissions, which are usually why a unix socket is used.
 *
 * <p>This client is deliberately simple: a pool of {@link TextConnection}s per socket, one call at a time per
 * connection (multi-gets and multi-sets pipelined on one connection, written while the replies are read), each
 * call, connect included, bounded by the operation timeout. A connection that fails is closed and the pool emptied.
 * What counts as an outage is reported to the {@link OutagePolicy}: a refused connect (the socket is down at once),
 * and a timeout without a byte back (a hung server, or one whose listen backlog stays full; {@code timeoutThreshold}
 * of them in a row make it hung). While a socket is down every call for its keys fails at once; after the reconnect
 * delay the next call tries again, so a restarted memcached is used again within the reconnect delay.
 */
final class UnixSocketTransport implements MemcachedTransport {

	private static final int KEYS_PER_GET = 100;

	/** {@code stats} has about 90 lines, {@code stats settings} about 80. */
	private static final int MAX_STATS = 1000;

	private static final byte[] CRLF = { '\r', '\n' };

	/** The sockets in {@code location} order: the placement's server indices. */
	private final List<Node> nodes = new ArrayList<>();

	private final KeyPlacement placement;

	private final OutagePolicy policy;

	private final long timeoutMillis;

	private final int maxIdle;

	private final long configuredMaxItemSize;

	/** The largest value read: the item size limit, raised to what the servers report. */
	private volatile long maxValueBytes;

	private volatile boolean closed;

	/**
	 * @param paths the socket paths, in {@code location} order
	 * @param options the client settings
	 * @param policy the cache's outage policy
	 * @param placement builds the placement over the sockets
	 */
	UnixSocketTransport(List<String> paths, MemcachedOptions options, OutagePolicy policy,
			Function<List<? extends SocketAddress>, KeyPlacement> placement) {
		this.timeoutMillis = Math.max(1, options.getOperationTimeout().toMillis());
		this.maxIdle = Math.max(8, options.getConnections());
		this.configuredMaxItemSize = Math.min(Integer.MAX_VALUE - 64, options.getMaxItemSize().toBytes());
		this.maxValueBytes = this.configuredMaxItemSize;
		this.policy = policy;
		List<UnixDomainSocketAddress> addresses = new ArrayList<>();
		for (String path : paths) {
			UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
			addresses.add(address);
			this.nodes.add(new Node(path, address, policy.server(path)));
		}
		this.placement = placement.apply(addresses);
	}

	private long deadline() {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
	}

	private boolean isLive(int index) {
		return this.policy.isAvailable(this.nodes.get(index).server);
	}

	/** The key's socket, or the one that takes its keys over, or a fast failure. */
	private Node target(String key) {
		int index = this.policy.serverFor(this.placement, key, this::isLive);
		if (index < 0) {
			throw new CacheAccessException(
					"memcached unix socket " + this.nodes.get(this.placement.serverFor(key)).path + " is down");
		}
		return this.nodes.get(index);
	}

	private static byte[] utf8(String command) {
		return command.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public @Nullable MemcachedItem get(String key) {
		Map<String, MemcachedItem> found = target(key).execute("get", true, deadline(), (connection) -> {
			connection.send(utf8("get " + key + "\r\n"));
			return connection.readValues(Set.of(key), this.maxValueBytes);
		});
		return found.get(key);
	}

	@Override
	public Map<String, MemcachedItem> getMany(List<String> keys, Consumer<CacheAccessException> failures) {
		long deadline = deadline();
		// Each key once: memcached answers a key as often as it is asked, and a repeat would read as a broken stream.
		Placed placed = this.policy.place(this.placement, new LinkedHashSet<>(keys), this::isLive);
		if (placed.byServer().isEmpty() && !keys.isEmpty()) {
			throw new CacheAccessException("memcached unix sockets of all " + keys.size() + " keys are down");
		}
		if (!placed.down().isEmpty()) {
			failures.accept(new CacheAccessException(placed.down().size() + " of " + keys.size()
					+ " keys are on memcached unix sockets that are down"));
		}
		Map<String, MemcachedItem> found = new HashMap<>();
		placed.byServer().forEach((index, nodeKeys) -> {
			try {
				found.putAll(this.nodes.get(index).execute("get", true, deadline, (connection) -> {
					// Pipelined: the commands are written while the replies are read, so any number of keys works.
					List<Set<String>> batches = new ArrayList<>();
					for (int from = 0; from < nodeKeys.size(); from += KEYS_PER_GET) {
						Set<String> batch = new LinkedHashSet<>(
								nodeKeys.subList(from, Math.min(nodeKeys.size(), from + KEYS_PER_GET)));
						connection.send(utf8("get " + String.join(" ", batch) + "\r\n"));
						batches.add(batch);
					}
					Map<String, MemcachedItem> values = new HashMap<>();
					for (Set<String> batch : batches) {
						values.putAll(connection.readValues(batch, this.maxValueBytes));
					}
					return values;
				}));
			}
			catch (CacheAccessException ex) {
				// Partial result: this socket's keys are misses, and the caller hears of it.
				failures.accept(ex);
			}
		});
		return found;
	}

	private static byte[][] storeCommand(String verb, String key, int exptime, MemcachedItem item) {
		byte[] header = utf8(verb + " " + key + " " + Integer.toUnsignedString(item.flags()) + " " + exptime + " "
				+ item.data().length + "\r\n");
		return new byte[][] { header, item.data(), CRLF };
	}

	@Override
	public boolean store(boolean add, String key, int exptime, MemcachedItem item) {
		String verb = add ? "add" : "set";
		String reply = target(key).execute(verb, !add, deadline(), (connection) -> {
			connection.send(storeCommand(verb, key, exptime, item));
			return connection.readLine();
		});
		return storedReply(verb, reply);
	}

	private static boolean storedReply(String verb, String reply) {
		if (reply.equals("STORED")) {
			return true;
		}
		if (reply.equals("NOT_STORED") || reply.equals("EXISTS") || reply.equals("NOT_FOUND")) {
			return false;
		}
		throw new CacheAccessException(verb + " failed: " + TextConnection.quote(reply));
	}

	@Override
	public List<String> storeMany(Map<String, MemcachedItem> items, int exptime) {
		long deadline = deadline();
		Placed placed = this.policy.place(this.placement, items.keySet(), this::isLive);
		List<String> failed = new ArrayList<>(placed.down());
		placed.byServer().forEach((index, nodeKeys) -> {
			try {
				failed.addAll(this.nodes.get(index).execute("set", true, deadline, (connection) -> {
					for (String key : nodeKeys) {
						connection.send(storeCommand("set", key, exptime, items.get(key)));
					}
					List<String> notStored = new ArrayList<>();
					for (String key : nodeKeys) {
						if (!connection.readLine().equals("STORED")) {
							notStored.add(key);
						}
					}
					return notStored;
				}));
			}
			catch (CacheAccessException ex) {
				failed.addAll(nodeKeys);
			}
		});
		return failed;
	}

	@Override
	public boolean touch(String key, int exptime) {
		String reply = target(key).execute("touch", true, deadline(), (connection) -> {
			connection.send(utf8("touch " + key + " " + exptime + "\r\n"));
			return connection.readLine();
		});
		return checkReply("touch", reply, "TOUCHED");
	}

	@Override
	public boolean delete(String key) {
		String reply = target(key).execute("delete", true, deadline(), (connection) -> {
			connection.send(utf8("delete " + key + "\r\n"));
			return connection.readLine();
		});
		return checkReply("delete", reply, "DELETED");
	}

	private static boolean checkReply(String verb, String reply, String success) {
		if (reply.equals(success)) {
			return true;
		}
		if (reply.equals("NOT_FOUND")) {
			return false;
		}
		throw new CacheAccessException(verb + " failed: " + TextConnection.quote(reply));
	}

	@Override
	public void deleteMany(List<String> keys) {
		long deadline = deadline();
		Placed placed = this.policy.place(this.placement, keys, this::isLive);
		int failed = placed.down().size();
		for (Map.Entry<Integer, List<String>> entry : placed.byServer().entrySet()) {
			List<String> nodeKeys = entry.getValue();
			try {
				this.nodes.get(entry.getKey()).execute("delete", true, deadline, (connection) -> {
					for (String key : nodeKeys) {
						connection.send(utf8("delete " + key + "\r\n"));
					}
					for (int i = 0; i < nodeKeys.size(); i++) {
						connection.readLine();
					}
					return null;
				});
			}
			catch (CacheAccessException ex) {
				failed += nodeKeys.size();
			}
		}
		if (failed > 0) {
			throw new CacheAccessException("deleteMany: " + failed + " of " + keys.size() + " keys not deleted");
		}
	}

	@Override
	public @Nullable Long incr(String key, long delta) {
		String verb = (delta >= 0) ? "incr" : "decr";
		long amount = (delta >= 0) ? delta : -delta;
		// Not retried on a fresh connection: the first attempt may have been applied.
		String reply = target(key).execute(verb, false, deadline(), (connection) -> {
			connection.send(utf8(verb + " " + key + " " + Long.toUnsignedString(amount) + "\r\n"));
			return connection.readLine();
		});
		if (reply.equals("NOT_FOUND")) {
			return null;
		}
		try {
			return Long.parseUnsignedLong(reply.trim());
		}
		catch (NumberFormatException ex) {
			throw new CacheAccessException(verb + " failed: " + TextConnection.quote(reply));
		}
	}

	@Override
	public void flush() {
		int failed = 0;
		for (Node node : this.nodes) {
			try {
				// A deadline per socket: a hung one must not use up the time of the others.
				node.execute("flush_all", true, deadline(), (connection) -> {
					flushAll(connection);
					return null;
				});
			}
			catch (CacheAccessException ex) {
				failed++;
			}
		}
		if (failed > 0) {
			throw new CacheAccessException("flush_all failed on " + failed + " memcached unix socket(s)");
		}
	}

	private static void flushAll(TextConnection connection) throws IOException {
		connection.send(utf8("flush_all\r\n"));
		String reply = connection.readLine();
		if (!reply.equals("OK")) {
			throw new ProtocolException("flush_all failed: " + TextConnection.quote(reply));
		}
	}

	private Map<String, String> stats(Node node, String command) {
		return node.execute("stats", true, deadline(), (connection) -> {
			connection.send(utf8(command + "\r\n"));
			Map<String, String> stats = new LinkedHashMap<>();
			String line;
			while (!(line = connection.readLine()).equals("END")) {
				String[] parts = line.split(" ", 3);
				if (parts.length != 3 || !parts[0].equals("STAT")) {
					throw new ProtocolException("unexpected stats reply: " + TextConnection.quote(line));
				}
				if (stats.size() >= MAX_STATS) {
					throw new ProtocolException("more than " + MAX_STATS + " stats");
				}
				stats.put(parts[1], parts[2]);
			}
			return stats;
		});
	}

	@Override
	public long itemSizeMax() {
		long smallest = -1;
		long largest = -1;
		for (Node node : this.nodes) {
			try {
				String value = stats(node, "stats settings").get("item_size_max");
				if (value != null) {
					long size = Long.parseLong(value.trim());
					smallest = (smallest < 0) ? size : Math.min(smallest, size);
					largest = Math.max(largest, size);
				}
			}
			catch (CacheAccessException | NumberFormatException ex) {
				// Down at startup: keep the configured limit.
			}
		}
		if (largest > 0) {
			// A value read can be as large as the largest server allows, never larger.
			this.maxValueBytes = Math.min(Integer.MAX_VALUE - 64, Math.max(this.configuredMaxItemSize, largest));
		}
		return smallest;
	}

	@Override
	public Map<String, MemcachedCacheBackend.ServerStatus> servers() {
		Map<String, MemcachedCacheBackend.ServerStatus> servers = new LinkedHashMap<>();
		for (Node node : this.nodes) {
			Map<String, String> stats = Map.of();
			boolean alive = false;
			if (this.policy.isAvailable(node.server)) {
				try {
					stats = Map.copyOf(stats(node, "stats"));
					alive = true;
				}
				catch (CacheAccessException ex) {
					// Not alive.
				}
			}
			servers.put(node.path, new MemcachedCacheBackend.ServerStatus(node.path, alive, stats));
		}
		return servers;
	}

	@Override
	public String serverFor(String key) {
		return this.nodes.get(this.placement.serverFor(key)).path;
	}

	@Override
	public @Nullable SocketAddress socketAddress(String server) {
		for (Node node : this.nodes) {
			if (node.path.equals(server)) {
				return node.address;
			}
		}
		return null;
	}

	@Override
	public void close() {
		this.closed = true;
		for (Node node : this.nodes) {
			node.closeIdle();
		}
	}

	@FunctionalInterface
	private interface Exchange<T> {

		T run(TextConnection connection) throws IOException;

	}

	/** One unix socket: a pool of connections, and its server in the outage policy. */
	private final class Node {

		final String path;

		final UnixDomainSocketAddress address;

		final OutagePolicy.Server server;

		final Deque<TextConnection> idle = new ConcurrentLinkedDeque<>();

		Node(String path, UnixDomainSocketAddress address, OutagePolicy.Server server) {
			this.path = path;
			this.address = address;
			this.server = server;
		}

		void closeIdle() {
			TextConnection connection;
			while ((connection = this.idle.pollFirst()) != null) {
				connection.close();
			}
		}

		/**
		 * Run one exchange on a pooled connection, by the deadline. A pooled connection that turns out dead
		 * (memcached restarted since it was opened) is replaced by a fresh one once, if the exchange may be repeated.
		 */
		<T> T execute(String operation, boolean repeatable, long deadline, Exchange<T> exchange) {
			OutagePolicy policy = UnixSocketTransport.this.policy;
			if (UnixSocketTransport.this.closed) {
				throw new CacheAccessException("memcached backend is closed");
			}
			long budget = deadline - System.nanoTime();
			if (budget <= 0) {
				throw new CacheAccessException(operation + " not sent to memcached unix socket " + this.path
						+ ": the call's time was used up by another socket");
			}
			policy.checkAvailable(this.server);
			for (int attempt = 0;; attempt++) {
				TextConnection connection = this.idle.pollFirst();
				boolean pooled = connection != null;
				try {
					if (connection == null) {
						connection = connect(deadline);
					}
					connection.deadline(deadline);
					TextConnection flushed = connection;
					// It was down or hung: empty it before anything is read from it again.
					policy.flushIfDue(this.server, () -> flushAll(flushed));
					T result = exchange.run(connection);
					policy.answered(this.server);
					release(connection);
					return result;
				}
				catch (TimeoutIOException ex) {
					boolean answering = connection != null && connection.received() > 0;
					close(connection);
					// Only a wait of (about) the whole timeout without a byte back says that the server hangs: a slow
					// answer to a large request, or a call whose time another socket used up, does not.
					if (!answering && budget * 2 >= TimeUnit.MILLISECONDS.toNanos(UnixSocketTransport.this.timeoutMillis)
							&& policy.timedOut(this.server)) {
						closeIdle();
					}
					throw new CacheAccessException(operation + " timed out after "
							+ UnixSocketTransport.this.timeoutMillis + " ms on memcached unix socket " + this.path + ": "
							+ ex.getMessage(), ex);
				}
				catch (ProtocolException ex) {
					// The stream cannot be trusted: this connection goes, the others are fine.
					close(connection);
					throw new CacheAccessException(operation + " on memcached unix socket " + this.path + ": "
							+ ex.getMessage(), ex);
				}
				catch (InterruptedIOException ex) {
					close(connection);
					throw new CacheAccessException(operation + " interrupted", ex);
				}
				catch (IOException ex) {
					close(connection);
					closeIdle();
					if (pooled && repeatable && attempt == 0) {
						continue;
					}
					throw new CacheAccessException(operation + " failed on memcached unix socket " + this.path + ": "
							+ ex.getMessage(), ex);
				}
				catch (RuntimeException ex) {
					close(connection);
					throw ex;
				}
			}
		}

		/**
		 * A refused connect (nothing listens, no socket file) is a socket down at once; a full listen backlog is a
		 * {@link TimeoutIOException}, counted like any other timeout.
		 */
		private TextConnection connect(long deadline) throws IOException {
			try {
				return TextConnection.open(this.address, deadline);
			}
			catch (TimeoutIOException | InterruptedIOException ex) {
				throw ex;
			}
			catch (IOException ex) {
				UnixSocketTransport.this.policy.refused(this.server, "cannot connect: " + ex.getMessage());
				closeIdle();
				throw new CacheAccessException("memcached unix socket " + this.path + " is down: " + ex.getMessage(),
						ex);
			}
		}

		private void close(@Nullable TextConnection connection) {
			if (connection != null) {
				connection.close();
			}
		}

		private void release(TextConnection connection) {
			if (!UnixSocketTransport.this.closed && this.idle.size() < UnixSocketTransport.this.maxIdle) {
				this.idle.offerFirst(connection);
				if (UnixSocketTransport.this.closed) {
					closeIdle();
				}
			}
			else {
				connection.close();
			}
		}

	}

}
