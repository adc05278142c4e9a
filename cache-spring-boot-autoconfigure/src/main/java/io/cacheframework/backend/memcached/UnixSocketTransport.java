package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.CacheAccessException;
import net.spy.memcached.CachedData;
import net.spy.memcached.DefaultHashAlgorithm;
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
 * <p>This client is deliberately simple and blocking: a pool of connections per socket, one request at a time per
 * connection (multi-gets and multi-sets pipelined on one connection), every read and write bounded by the
 * operation timeout. A connection that fails is closed and the pool emptied; a socket that refuses connections
 * is marked down and every call for its keys fails at once until the reconnect delay has passed, then the next
 * call tries again, so a restarted memcached is used again within the reconnect delay. A socket that times out
 * {@code timeoutThreshold} times in a row (a hung server) is avoided the same way.
 */
final class UnixSocketTransport implements MemcachedTransport {

	private static final int POINTS_PER_NODE = 160;

	private static final int KEYS_PER_GET = 100;

	private final List<Node> nodes = new ArrayList<>();

	private final TreeMap<Long, Node> ring = new TreeMap<>();

	private final long timeoutMillis;

	private final long reconnectMillis;

	private final int threshold;

	private final int maxIdle;

	private final boolean flushAfterOutage;

	private volatile boolean closed;

	UnixSocketTransport(List<String> paths, MemcachedOptions options) {
		this.timeoutMillis = Math.max(1, options.getOperationTimeout().toMillis());
		this.reconnectMillis = Math.max(100, options.getReconnectDelay().toMillis());
		this.threshold = Math.max(1, options.getTimeoutThreshold());
		this.maxIdle = Math.max(8, options.getConnections());
		this.flushAfterOutage = options.isFlushAfterOutage();
		for (String path : paths) {
			Node node = new Node(path);
			this.nodes.add(node);
			for (int i = 0; i < POINTS_PER_NODE; i++) {
				this.ring.put(DefaultHashAlgorithm.KETAMA_HASH.hash(path + "-" + i), node);
			}
		}
	}

	private Node primary(String key) {
		if (this.nodes.size() == 1) {
			return this.nodes.get(0);
		}
		long hash = DefaultHashAlgorithm.KETAMA_HASH.hash(key);
		SortedMap<Long, Node> tail = this.ring.tailMap(hash);
		return tail.isEmpty() ? this.ring.firstEntry().getValue() : tail.get(tail.firstKey());
	}

	/** The key's server, or the next live one on the ring, or a fast failure. */
	private Node target(String key) {
		Node primary = primary(key);
		if (!primary.isDown()) {
			return primary;
		}
		if (this.nodes.size() > 1) {
			long hash = DefaultHashAlgorithm.KETAMA_HASH.hash(key);
			for (Node candidate : this.ring.tailMap(hash).values()) {
				if (!candidate.isDown()) {
					return candidate;
				}
			}
			for (Node candidate : this.ring.values()) {
				if (!candidate.isDown()) {
					return candidate;
				}
			}
		}
		throw new CacheAccessException("memcached unix socket " + primary.path + " is down");
	}

	@Override
	public @Nullable CachedData get(String key) {
		Map<String, CachedData> found = target(key).execute("get", true, (connection) -> {
			connection.write(("get " + key + "\r\n").getBytes(StandardCharsets.UTF_8));
			return connection.readValues();
		});
		return found.get(key);
	}

	@Override
	public Map<String, CachedData> getMany(List<String> keys) {
		Map<Node, List<String>> byNode = new LinkedHashMap<>();
		for (String key : keys) {
			try {
				byNode.computeIfAbsent(target(key), (node) -> new ArrayList<>()).add(key);
			}
			catch (CacheAccessException ex) {
				// Its server is down: a miss.
			}
		}
		if (byNode.isEmpty() && !keys.isEmpty()) {
			throw new CacheAccessException("memcached unix sockets of all " + keys.size() + " keys are down");
		}
		Map<String, CachedData> found = new LinkedHashMap<>();
		for (Map.Entry<Node, List<String>> entry : byNode.entrySet()) {
			try {
				found.putAll(entry.getKey().execute("get", true, (connection) -> {
					List<String> nodeKeys = entry.getValue();
					// Pipelined: every command written first, then the answers read in order.
					int commands = 0;
					for (int from = 0; from < nodeKeys.size(); from += KEYS_PER_GET) {
						StringBuilder command = new StringBuilder("get");
						for (String key : nodeKeys.subList(from, Math.min(nodeKeys.size(), from + KEYS_PER_GET))) {
							command.append(' ').append(key);
						}
						connection.write(command.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
						commands++;
					}
					Map<String, CachedData> values = new LinkedHashMap<>();
					for (int i = 0; i < commands; i++) {
						values.putAll(connection.readValues());
					}
					return values;
				}));
			}
			catch (CacheAccessException ex) {
				// Partial result: this server's keys are misses.
			}
		}
		return found;
	}

	private static byte[] storeCommand(String verb, String key, int exptime, CachedData data) {
		byte[] header = (verb + " " + key + " " + Integer.toUnsignedString(data.getFlags()) + " " + exptime + " "
				+ data.getData().length + "\r\n").getBytes(StandardCharsets.UTF_8);
		byte[] command = new byte[header.length + data.getData().length + 2];
		System.arraycopy(header, 0, command, 0, header.length);
		System.arraycopy(data.getData(), 0, command, header.length, data.getData().length);
		command[command.length - 2] = '\r';
		command[command.length - 1] = '\n';
		return command;
	}

	@Override
	public boolean store(boolean add, String key, int exptime, CachedData data) {
		String verb = add ? "add" : "set";
		String reply = target(key).execute(verb, !add, (connection) -> {
			connection.write(storeCommand(verb, key, exptime, data));
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
		throw new CacheAccessException(verb + " failed: " + reply);
	}

	@Override
	public List<String> storeMany(Map<String, CachedData> items, int exptime) {
		Map<Node, List<String>> byNode = new LinkedHashMap<>();
		List<String> failed = new ArrayList<>();
		for (String key : items.keySet()) {
			try {
				byNode.computeIfAbsent(target(key), (node) -> new ArrayList<>()).add(key);
			}
			catch (CacheAccessException ex) {
				failed.add(key);
			}
		}
		for (Map.Entry<Node, List<String>> entry : byNode.entrySet()) {
			try {
				failed.addAll(entry.getKey().execute("set", true, (connection) -> {
					for (String key : entry.getValue()) {
						connection.write(storeCommand("set", key, exptime, items.get(key)));
					}
					List<String> notStored = new ArrayList<>();
					for (String key : entry.getValue()) {
						if (!connection.readLine().equals("STORED")) {
							notStored.add(key);
						}
					}
					return notStored;
				}));
			}
			catch (CacheAccessException ex) {
				failed.addAll(entry.getValue());
			}
		}
		return failed;
	}

	@Override
	public boolean touch(String key, int exptime) {
		String reply = target(key).execute("touch", true, (connection) -> {
			connection.write(("touch " + key + " " + exptime + "\r\n").getBytes(StandardCharsets.UTF_8));
			return connection.readLine();
		});
		return checkReply("touch", reply, "TOUCHED");
	}

	@Override
	public boolean delete(String key) {
		String reply = target(key).execute("delete", true, (connection) -> {
			connection.write(("delete " + key + "\r\n").getBytes(StandardCharsets.UTF_8));
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
		throw new CacheAccessException(verb + " failed: " + reply);
	}

	@Override
	public void deleteMany(List<String> keys) {
		int failed = 0;
		Map<Node, List<String>> byNode = new LinkedHashMap<>();
		for (String key : keys) {
			try {
				byNode.computeIfAbsent(target(key), (node) -> new ArrayList<>()).add(key);
			}
			catch (CacheAccessException ex) {
				failed++;
			}
		}
		for (Map.Entry<Node, List<String>> entry : byNode.entrySet()) {
			try {
				entry.getKey().execute("delete", true, (connection) -> {
					for (String key : entry.getValue()) {
						connection.write(("delete " + key + "\r\n").getBytes(StandardCharsets.UTF_8));
					}
					for (int i = 0; i < entry.getValue().size(); i++) {
						connection.readLine();
					}
					return null;
				});
			}
			catch (CacheAccessException ex) {
				failed += entry.getValue().size();
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
		String reply = target(key).execute(verb, false, (connection) -> {
			connection.write((verb + " " + key + " " + Long.toUnsignedString(amount) + "\r\n")
				.getBytes(StandardCharsets.UTF_8));
			return connection.readLine();
		});
		if (reply.equals("NOT_FOUND")) {
			return null;
		}
		try {
			return Long.parseUnsignedLong(reply.trim());
		}
		catch (NumberFormatException ex) {
			throw new CacheAccessException(verb + " failed: " + reply);
		}
	}

	@Override
	public void flush() {
		int failed = 0;
		for (Node node : this.nodes) {
			try {
				String reply = node.execute("flush_all", true, (connection) -> {
					connection.write("flush_all\r\n".getBytes(StandardCharsets.US_ASCII));
					return connection.readLine();
				});
				if (!reply.equals("OK")) {
					failed++;
				}
			}
			catch (CacheAccessException ex) {
				failed++;
			}
		}
		if (failed > 0) {
			throw new CacheAccessException("flush_all failed on " + failed + " memcached unix socket(s)");
		}
	}

	private Map<String, String> stats(Node node, String command) {
		return node.execute("stats", true, (connection) -> {
			connection.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
			Map<String, String> stats = new LinkedHashMap<>();
			String line;
			while (!(line = connection.readLine()).equals("END")) {
				String[] parts = line.split(" ", 3);
				if (parts.length == 3 && parts[0].equals("STAT")) {
					stats.put(parts[1], parts[2]);
				}
				else {
					throw new CacheAccessException("unexpected stats reply: " + line);
				}
			}
			return stats;
		});
	}

	@Override
	public long itemSizeMax() {
		long smallest = -1;
		for (Node node : this.nodes) {
			try {
				String value = stats(node, "stats settings").get("item_size_max");
				if (value != null) {
					long size = Long.parseLong(value.trim());
					smallest = (smallest < 0) ? size : Math.min(smallest, size);
				}
			}
			catch (CacheAccessException | NumberFormatException ex) {
				// Down at startup: keep the configured limit.
			}
		}
		return smallest;
	}

	@Override
	public Map<String, MemcachedCacheBackend.ServerStatus> servers() {
		Map<String, MemcachedCacheBackend.ServerStatus> servers = new LinkedHashMap<>();
		for (Node node : this.nodes) {
			Map<String, String> stats = Map.of();
			boolean alive = false;
			if (!node.isDown()) {
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
		return primary(key).path;
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

		T run(Connection connection) throws IOException;

	}

	/** One unix socket: a pool of connections, liveness and a timeout breaker. */
	private final class Node {

		final String path;

		final UnixDomainSocketAddress address;

		final Deque<Connection> idle = new ConcurrentLinkedDeque<>();

		final AtomicInteger timeouts = new AtomicInteger();

		volatile long downUntil;

		/** Set when the socket was down or hung: with flush-after-outage it is flushed before its next use. */
		volatile boolean outage;

		Node(String path) {
			this.path = path;
			this.address = UnixDomainSocketAddress.of(path);
		}

		boolean isDown() {
			return this.downUntil != 0 && System.nanoTime() - this.downUntil < 0;
		}

		void markDown() {
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UnixSocketTransport.this.reconnectMillis);
			this.downUntil = (until == 0) ? 1 : until;
			this.outage = true;
			closeIdle();
		}

		void closeIdle() {
			Connection connection;
			while ((connection = this.idle.pollFirst()) != null) {
				connection.close();
			}
		}

		/**
		 * Run one exchange on a pooled connection. A pooled connection that turns out dead (memcached restarted
		 * since it was opened) is replaced by a fresh one once, if the exchange may be repeated.
		 */
		<T> T execute(String operation, boolean repeatable, Exchange<T> exchange) {
			if (UnixSocketTransport.this.closed) {
				throw new CacheAccessException("memcached backend is closed");
			}
			for (int attempt = 0;; attempt++) {
				Connection connection = this.idle.pollFirst();
				boolean pooled = connection != null;
				if (connection == null) {
					connection = open();
				}
				try {
					if (this.outage && UnixSocketTransport.this.flushAfterOutage) {
						// It was hung or restarted: empty it before anything is read from it again.
						connection.write("flush_all\r\n".getBytes(StandardCharsets.US_ASCII));
						String reply = connection.readLine();
						if (!reply.equals("OK")) {
							throw new CacheAccessException("flush_all after an outage failed: " + reply);
						}
						this.outage = false;
					}
					T result = exchange.run(connection);
					this.timeouts.set(0);
					this.downUntil = 0;
					release(connection);
					return result;
				}
				catch (TimeoutIOException ex) {
					connection.close();
					if (this.timeouts.incrementAndGet() >= UnixSocketTransport.this.threshold) {
						markDown();
					}
					throw new CacheAccessException(operation + " timed out after "
							+ UnixSocketTransport.this.timeoutMillis + " ms on memcached unix socket " + this.path, ex);
				}
				catch (IOException ex) {
					connection.close();
					closeIdle();
					if (pooled && repeatable && attempt == 0) {
						continue;
					}
					throw new CacheAccessException(operation + " failed on memcached unix socket " + this.path + ": "
							+ ex.getMessage(), ex);
				}
				catch (RuntimeException ex) {
					// A protocol surprise: the connection's state is unknown, so it is not reused.
					connection.close();
					throw ex;
				}
			}
		}

		private Connection open() {
			try {
				return new Connection(this.address, UnixSocketTransport.this.timeoutMillis);
			}
			catch (IOException ex) {
				markDown();
				throw new CacheAccessException("memcached unix socket " + this.path + " is down: " + ex.getMessage(),
						ex);
			}
		}

		private void release(Connection connection) {
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

	/** A read or write that ran out of time. */
	private static final class TimeoutIOException extends IOException {

		private static final long serialVersionUID = 1L;

		TimeoutIOException(String message) {
			super(message);
		}

	}

	/** One non-blocking connection with a private selector, so that every read and write has a deadline. */
	private static final class Connection {

		private final SocketChannel channel;

		private final Selector selector;

		private final long timeoutNanos;

		private ByteBuffer in = ByteBuffer.allocate(16 * 1024).flip();

		private long deadline;

		Connection(UnixDomainSocketAddress address, long timeoutMillis) throws IOException {
			this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
			SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				// A unix socket connect does not block on the network: it succeeds or fails at once.
				channel.connect(address);
				channel.configureBlocking(false);
				this.selector = Selector.open();
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				throw ex;
			}
			this.channel = channel;
			this.deadline = System.nanoTime() + this.timeoutNanos;
		}

		void write(byte[] data) throws IOException {
			this.deadline = System.nanoTime() + this.timeoutNanos;
			ByteBuffer buffer = ByteBuffer.wrap(data);
			while (buffer.hasRemaining()) {
				if (this.channel.write(buffer) == 0) {
					await(SelectionKey.OP_WRITE);
				}
			}
		}

		private void await(int operation) throws IOException {
			long remaining = this.deadline - System.nanoTime();
			if (remaining <= 0) {
				throw new TimeoutIOException("timed out");
			}
			SelectionKey key = this.channel.register(this.selector, operation);
			try {
				this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
			}
			finally {
				key.interestOps(0);
				this.selector.selectedKeys().clear();
			}
		}

		private void fill() throws IOException {
			if (this.in.position() > 0 || this.in.limit() == this.in.capacity()) {
				this.in.compact().flip();
			}
			if (this.in.limit() == this.in.capacity()) {
				ByteBuffer larger = ByteBuffer.allocate(this.in.capacity() * 2);
				larger.put(this.in).flip();
				this.in = larger;
			}
			while (true) {
				int position = this.in.position();
				this.in.position(this.in.limit()).limit(this.in.capacity());
				int read = this.channel.read(this.in);
				this.in.limit(this.in.position()).position(position);
				if (read < 0) {
					throw new IOException("connection closed by memcached");
				}
				if (read > 0) {
					return;
				}
				await(SelectionKey.OP_READ);
			}
		}

		String readLine() throws IOException {
			while (true) {
				for (int i = this.in.position(); i + 1 < this.in.limit(); i++) {
					if (this.in.get(i) == '\r' && this.in.get(i + 1) == '\n') {
						byte[] line = new byte[i - this.in.position()];
						this.in.get(line);
						this.in.position(this.in.position() + 2);
						return new String(line, StandardCharsets.UTF_8);
					}
				}
				fill();
			}
		}

		byte[] readBytes(int length) throws IOException {
			byte[] data = new byte[length];
			int offset = 0;
			while (offset < length) {
				if (!this.in.hasRemaining()) {
					fill();
				}
				int n = Math.min(length - offset, this.in.remaining());
				this.in.get(data, offset, n);
				offset += n;
			}
			return data;
		}

		/** The answer to one {@code get}: {@code VALUE <key> <flags> <bytes>} blocks up to {@code END}. */
		Map<String, CachedData> readValues() throws IOException {
			Map<String, CachedData> values = Collections.emptyMap();
			while (true) {
				String line = readLine();
				if (line.equals("END")) {
					return values;
				}
				String[] parts = line.split(" ");
				if (parts.length < 4 || !parts[0].equals("VALUE")) {
					throw new CacheAccessException("unexpected get reply: " + line);
				}
				int flags = Integer.parseUnsignedInt(parts[2]);
				int length = Integer.parseInt(parts[3]);
				byte[] data = readBytes(length);
				if (!readLine().isEmpty()) {
					throw new CacheAccessException("corrupt get reply for key " + parts[1]);
				}
				if (values.isEmpty()) {
					values = new LinkedHashMap<>();
				}
				values.put(parts[1], new CachedData(flags, data, Integer.MAX_VALUE));
			}
		}

		void close() {
			try {
				this.selector.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
		}

	}

}
