package io.cacheframework.backend.memcached;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One memcached text-protocol connection, over a unix socket or TCP, on which nothing can hang or exhaust memory:
 * the connect and every exchange end at a deadline, a reply line may have at most {@link #MAX_LINE} bytes, a value
 * at most the size the caller allows, and a {@code get} reply may only name keys that were asked for, each once.
 *
 * <p>Requests are queued by {@link #send} and written while replies are read, so a pipeline of any length cannot
 * deadlock: memcached stops reading requests while its replies are not read, and a client that writes everything
 * before it reads would wait for it for ever. Replies are read only as far as they are parsed, so the input buffer
 * stays small whatever the pipeline's length.
 */
final class TextConnection implements AutoCloseable {

	/**
	 * The longest reply line accepted: a {@code VALUE} line with a 250-byte key is under 300 bytes, a metadump line
	 * with a URI-encoded key under 1 KB.
	 */
	static final int MAX_LINE = 8 * 1024;

	private static final long MAX_CONNECT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final SocketChannel channel;

	private final Selector selector;

	private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();

	private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();

	private long deadline;

	private long received;

	private TextConnection(SocketChannel channel, Selector selector, long deadline) {
		this.channel = channel;
		this.selector = selector;
		this.deadline = deadline;
	}

	/**
	 * Connect, giving up at the deadline.
	 * @param address a {@link UnixDomainSocketAddress} or a resolved {@link InetSocketAddress}
	 * @param deadline {@link System#nanoTime()} at which to give up
	 * @return the connection, non-blocking
	 * @throws TimeoutIOException if the deadline passed (a unix socket whose listen backlog stays full, a TCP
	 * connect that is not answered)
	 * @throws IOException if the server refuses (nothing listens, the socket file is missing, no permission)
	 */
	static TextConnection open(SocketAddress address, long deadline) throws IOException {
		Selector selector = Selector.open();
		try {
			SocketChannel channel = (address instanceof UnixDomainSocketAddress unix)
					? connectUnix(unix, selector, deadline) : connectTcp(address, selector, deadline);
			return new TextConnection(channel, selector, deadline);
		}
		catch (IOException | RuntimeException ex) {
			selector.close();
			throw ex;
		}
	}

	/**
	 * A non-blocking unix connect does not wait: it fails with {@code EAGAIN} while the listen backlog is full (a
	 * stopped or swamped memcached), where a blocking one would wait for ever. So it is tried again, with short
	 * pauses, until the deadline.
	 */
	private static SocketChannel connectUnix(UnixDomainSocketAddress address, Selector selector, long deadline)
			throws IOException {
		long pause = TimeUnit.MILLISECONDS.toNanos(1);
		while (true) {
			SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				channel.configureBlocking(false);
				if (!channel.connect(address)) {
					// Not seen on Linux for unix sockets, but allowed by the API.
					finishConnect(channel, selector, deadline, address);
				}
				return channel;
			}
			catch (ConnectException | BindException ex) {
				// Nothing listens there, or no permission: down, no point waiting.
				channel.close();
				throw ex;
			}
			catch (SocketException ex) {
				channel.close();
				if (!Files.exists(address.getPath())) {
					throw ex;
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw new TimeoutIOException("connect to " + address.getPath() + " timed out: its listen backlog is "
							+ "full (" + ex.getMessage() + ")");
				}
				sleep(Math.min(pause, remaining));
				pause = Math.min(pause * 2, MAX_CONNECT_PAUSE_NANOS);
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				throw ex;
			}
		}
	}

	private static SocketChannel connectTcp(SocketAddress address, Selector selector, long deadline)
			throws IOException {
		SocketChannel channel = SocketChannel.open();
		try {
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			if (!channel.connect(address)) {
				finishConnect(channel, selector, deadline, address);
			}
			return channel;
		}
		catch (UnresolvedAddressException ex) {
			channel.close();
			throw new IOException("cannot resolve " + address, ex);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	private static void finishConnect(SocketChannel channel, Selector selector, long deadline, SocketAddress address)
			throws IOException {
		SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
		while (!channel.finishConnect()) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				throw new TimeoutIOException("connect to " + address + " timed out");
			}
			selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
			selector.selectedKeys().clear();
		}
		key.interestOps(0);
	}

	private static void sleep(long nanos) throws InterruptedIOException {
		try {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while connecting");
		}
	}

	/**
	 * Start an exchange: everything from now on must be done by the deadline.
	 * @param deadline {@link System#nanoTime()} at which reads and writes give up
	 */
	void deadline(long deadline) {
		this.deadline = deadline;
		this.received = 0;
	}

	/**
	 * How many bytes arrived since the last {@link #deadline(long)}: a timeout after some arrived is a slow answer,
	 * not a server that hangs.
	 * @return the byte count
	 */
	long received() {
		return this.received;
	}

	/**
	 * Queue request bytes and write as many as the socket takes now; the rest is written while replies are read.
	 * @param parts the bytes, in order (not copied: they must not change until the reply is read)
	 * @throws IOException if the connection failed
	 */
	void send(byte[]... parts) throws IOException {
		for (byte[] part : parts) {
			this.out.add(ByteBuffer.wrap(part));
		}
		writeSome();
	}

	private void writeSome() throws IOException {
		while (!this.out.isEmpty()) {
			ByteBuffer head = this.out.peekFirst();
			this.channel.write(head);
			if (head.hasRemaining()) {
				return;
			}
			this.out.pollFirst();
		}
	}

	/** Read more input, writing queued requests meanwhile; waits until the deadline at most. */
	private void fill() throws IOException {
		this.in.compact();
		try {
			if (!this.in.hasRemaining()) {
				throw new ProtocolException("reply buffer full");
			}
			while (true) {
				writeSome();
				int read = this.channel.read(this.in);
				if (read > 0) {
					this.received += read;
					return;
				}
				if (read < 0) {
					throw new EOFException("connection closed by memcached");
				}
				await(SelectionKey.OP_READ | (this.out.isEmpty() ? 0 : SelectionKey.OP_WRITE));
			}
		}
		finally {
			this.in.flip();
		}
	}

	private void await(int operations) throws IOException {
		long remaining = this.deadline - System.nanoTime();
		if (remaining <= 0) {
			throw new TimeoutIOException("timed out");
		}
		if (Thread.currentThread().isInterrupted()) {
			throw new InterruptedIOException("interrupted");
		}
		SelectionKey key = this.channel.register(this.selector, operations);
		try {
			this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
		}
		finally {
			key.interestOps(0);
			this.selector.selectedKeys().clear();
		}
	}

	/**
	 * One reply line, without its CRLF (or bare LF: metadump lines end with one).
	 * @return the line
	 * @throws ProtocolException if the line is longer than {@link #MAX_LINE}
	 * @throws IOException if the connection failed or the deadline passed
	 */
	String readLine() throws IOException {
		int from = this.in.position();
		while (true) {
			for (int i = from; i < this.in.limit(); i++) {
				if (this.in.get(i) == '\n') {
					int end = (i > this.in.position() && this.in.get(i - 1) == '\r') ? i - 1 : i;
					byte[] line = new byte[end - this.in.position()];
					this.in.get(line);
					this.in.position(i + 1);
					return new String(line, StandardCharsets.UTF_8);
				}
			}
			int pending = this.in.remaining();
			if (pending > MAX_LINE) {
				throw new ProtocolException("memcached sent a reply line longer than " + MAX_LINE + " bytes");
			}
			fill();
			// After fill() the pending bytes start at 0: scan only what is new.
			from = pending;
		}
	}

	/**
	 * Exactly {@code length} bytes; the caller has checked the length against its limit.
	 */
	private byte[] readBytes(int length) throws IOException {
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

	/**
	 * The reply to one {@code get}: {@code VALUE <key> <flags> <bytes>} blocks up to {@code END}.
	 * @param requested the keys of that {@code get}: any other key, or one twice, is a broken stream
	 * @param maxValueBytes the largest value accepted, checked before anything is allocated
	 * @return the values by key
	 * @throws ProtocolException for a reply that is not a well-formed answer to this request
	 * @throws IOException if the connection failed or the deadline passed
	 */
	Map<String, MemcachedItem> readValues(Set<String> requested, long maxValueBytes) throws IOException {
		Map<String, MemcachedItem> values = Collections.emptyMap();
		while (true) {
			String line = readLine();
			if (line.equals("END")) {
				return values;
			}
			String[] parts = line.split(" ");
			if (parts.length < 4 || parts.length > 5 || !parts[0].equals("VALUE")) {
				throw new ProtocolException("unexpected get reply: " + quote(line));
			}
			String key = parts[1];
			if (!requested.contains(key) || values.containsKey(key)) {
				throw new ProtocolException("memcached answered key " + quote(key) + ", which was not asked for");
			}
			int flags;
			long length;
			try {
				flags = Integer.parseUnsignedInt(parts[2]);
				length = Long.parseLong(parts[3]);
			}
			catch (NumberFormatException ex) {
				throw new ProtocolException("unexpected get reply: " + quote(line));
			}
			if (length < 0 || length > maxValueBytes) {
				throw new ProtocolException("memcached announced " + length + " bytes for key " + quote(key)
						+ ", more than the item size limit of " + maxValueBytes);
			}
			byte[] data = readBytes((int) length);
			if (!readLine().isEmpty()) {
				throw new ProtocolException("corrupt get reply for key " + quote(key));
			}
			if (values.isEmpty()) {
				values = new LinkedHashMap<>();
			}
			values.put(key, new MemcachedItem(flags, data));
		}
	}

	/**
	 * Server text for a message: at most 100 characters, control characters replaced, so that a hostile reply
	 * cannot forge log lines.
	 * @param text the text
	 * @return the printable text
	 */
	static String quote(String text) {
		StringBuilder quoted = new StringBuilder("'");
		for (int i = 0; i < Math.min(text.length(), 100); i++) {
			char c = text.charAt(i);
			quoted.append((c < 0x20 || c == 0x7f) ? '?' : c);
		}
		return quoted.append((text.length() > 100) ? "...'" : "'").toString();
	}

	@Override
	public void close() {
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

	/** A connect, read or write that ran out of time. */
	static final class TimeoutIOException extends IOException {

		private static final long serialVersionUID = 1L;

		TimeoutIOException(String message) {
			super(message);
		}

	}

	/** A reply that breaks the protocol or a limit: the stream cannot be trusted any more. */
	static final class ProtocolException extends IOException {

		private static final long serialVersionUID = 1L;

		ProtocolException(String message) {
			super(message);
		}

	}

}
