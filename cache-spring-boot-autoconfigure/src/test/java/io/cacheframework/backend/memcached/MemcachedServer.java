package io.cacheframework.backend.memcached;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A real memcached process for tests: started on a free loopback port (or a unix socket) with UDP off, stopped,
 * killed, paused (SIGSTOP) and resumed (SIGCONT) on demand. A missing memcached binary fails the test loudly:
 * these tests must never be skipped silently.
 */
final class MemcachedServer implements AutoCloseable {

	private final int port;

	private final Path socket;

	private final List<String> extraArgs;

	private Process process;

	private MemcachedServer(int port, Path socket, List<String> extraArgs) {
		this.port = port;
		this.socket = socket;
		this.extraArgs = extraArgs;
	}

	/** Start a memcached on a free loopback port. */
	static MemcachedServer start(String... extraArgs) {
		MemcachedServer server = new MemcachedServer(freePort(), null, List.of(extraArgs));
		server.launch();
		return server;
	}

	/** Start a memcached on a given loopback port. */
	static MemcachedServer startOnPort(int port, String... extraArgs) {
		MemcachedServer server = new MemcachedServer(port, null, List.of(extraArgs));
		server.launch();
		return server;
	}

	/** Start a memcached listening on a unix socket in a fresh temporary directory. */
	static MemcachedServer startUnix(String... extraArgs) {
		try {
			Path dir = Files.createTempDirectory("memcached");
			MemcachedServer server = new MemcachedServer(0, dir.resolve("memcached.sock"), List.of(extraArgs));
			server.launch();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String binary() {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
			File candidate = new File(dir, "memcached");
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		for (String path : new String[] { "/usr/bin/memcached", "/usr/local/bin/memcached", "/usr/sbin/memcached" }) {
			if (new File(path).canExecute()) {
				return path;
			}
		}
		throw new AssertionError("memcached binary not found on PATH: these tests need a real memcached "
				+ "(install it with 'apt-get install -y memcached')");
	}

	private synchronized void launch() {
		List<String> command = new ArrayList<>(List.of(binary(), "-U", "0", "-m", "64"));
		if (this.socket != null) {
			command.addAll(List.of("-s", this.socket.toString(), "-a", "0700"));
		}
		else {
			command.addAll(List.of("-l", "127.0.0.1", "-p", Integer.toString(this.port)));
		}
		if ("root".equals(System.getProperty("user.name"))) {
			command.addAll(List.of("-u", "root"));
		}
		command.addAll(this.extraArgs);
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot start " + command + ": " + ex, ex);
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new AssertionError("memcached exited at once with " + this.process.exitValue() + ": " + command);
			}
			try {
				command("version");
				return;
			}
			catch (IOException ex) {
				sleep(10);
			}
		}
		throw new AssertionError("memcached did not start listening within 10 s: " + command);
	}

	/** {@code host:port} or {@code unix:/path}, as written in {@code location}. */
	String location() {
		return (this.socket != null) ? "unix:" + this.socket : "127.0.0.1:" + this.port;
	}

	/** The address {@link MemcachedCacheBackend#servers()} reports. */
	String address() {
		return (this.socket != null) ? this.socket.toString() : "127.0.0.1:" + this.port;
	}

	int port() {
		return this.port;
	}

	boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/** Stop (SIGTERM) and wait. */
	synchronized void stop() {
		if (this.process != null) {
			signal("CONT");
			this.process.destroy();
			waitFor();
		}
	}

	/** Kill (SIGKILL) and wait, as a crash. */
	synchronized void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			waitFor();
		}
	}

	/** Start again on the same port or socket, empty. */
	synchronized void restart() {
		if (isRunning()) {
			stop();
		}
		launch();
	}

	/** SIGSTOP: the process hangs with its sockets open, as a hung or partitioned server. */
	void pause() {
		signal("STOP");
	}

	/** SIGCONT. */
	void resume() {
		signal("CONT");
	}

	private void signal(String name) {
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(this.process.pid())).start();
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new AssertionError("kill -" + name + " failed");
			}
			// kill(2) returns before the signal takes effect: wait until every thread of the server is really
			// stopped (or running again), or a request sent right after pause() can still be answered.
			awaitState(name.equals("STOP"));
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private void awaitState(boolean stopped) throws IOException, InterruptedException {
		Path tasks = Path.of("/proc", Long.toString(this.process.pid()), "task");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (System.nanoTime() < deadline) {
			boolean all = true;
			try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
				for (Path thread : (Iterable<Path>) threads::iterator) {
					String stat = Files.readString(thread.resolve("stat"));
					// The state is the field after the parenthesised command name.
					char state = stat.charAt(stat.lastIndexOf(')') + 2);
					all &= (state == 'T' || state == 't') == stopped;
				}
			}
			catch (java.nio.file.NoSuchFileException ex) {
				// A thread ended while we listed them: look again.
				all = false;
			}
			if (all) {
				return;
			}
			Thread.sleep(1);
		}
		throw new AssertionError("memcached " + this.process.pid() + " did not become " + (stopped ? "stopped" : "running"));
	}

	private void waitFor() {
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.socket != null) {
			try {
				Files.deleteIfExists(this.socket);
			}
			catch (IOException ex) {
				// memcached removes it itself on a clean exit.
			}
		}
	}

	@Override
	public void close() {
		kill();
	}

	// ---------------------------------------------------------------- raw text protocol

	/** A raw item as memcached stores it. */
	record Item(int flags, byte[] data) {

		String text() {
			return new String(this.data, StandardCharsets.UTF_8);
		}

	}

	/** {@code get <key>} over a fresh connection; {@code null} for a miss. */
	Item rawGet(String key) throws IOException {
		byte[] reply = exchange(("get " + key + "\r\n").getBytes(StandardCharsets.UTF_8), true);
		String text = new String(reply, StandardCharsets.ISO_8859_1);
		if (text.equals("END\r\n")) {
			return null;
		}
		int headerEnd = text.indexOf("\r\n");
		String[] header = text.substring(0, headerEnd).split(" ");
		if (!header[0].equals("VALUE") || !header[1].equals(key)) {
			throw new IOException("unexpected reply: " + text);
		}
		int length = Integer.parseInt(header[3]);
		byte[] data = Arrays.copyOfRange(reply, headerEnd + 2, headerEnd + 2 + length);
		return new Item(Integer.parseInt(header[2]), data);
	}

	/** {@code set <key> <flags> 0 <n>} over a fresh connection, as a Python client writes it. */
	String rawSet(String key, int flags, byte[] data) throws IOException {
		ByteArrayOutputStream command = new ByteArrayOutputStream();
		command.write(("set " + key + " " + flags + " 0 " + data.length + "\r\n").getBytes(StandardCharsets.UTF_8));
		command.write(data);
		command.write("\r\n".getBytes(StandardCharsets.US_ASCII));
		return new String(exchange(command.toByteArray(), false), StandardCharsets.UTF_8).trim();
	}

	/** Any one-line command, e.g. {@code version}; returns the reply. */
	String command(String command) throws IOException {
		return new String(exchange((command + "\r\n").getBytes(StandardCharsets.UTF_8), false),
				StandardCharsets.UTF_8).trim();
	}

	/** A statistic from {@code stats}. */
	long stat(String name) throws IOException {
		byte[] reply = exchange("stats\r\n".getBytes(StandardCharsets.US_ASCII), true);
		for (String line : new String(reply, StandardCharsets.US_ASCII).split("\r\n")) {
			String[] parts = line.split(" ");
			if (parts.length == 3 && parts[1].equals(name)) {
				return Long.parseLong(parts[2]);
			}
		}
		throw new IOException("no stat " + name);
	}

	private byte[] exchange(byte[] request, boolean untilEnd) throws IOException {
		if (this.socket != null) {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(this.socket));
				channel.write(ByteBuffer.wrap(request));
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				ByteBuffer buffer = ByteBuffer.allocate(65536);
				while (!complete(out.toByteArray(), untilEnd)) {
					buffer.clear();
					int n = channel.read(buffer);
					if (n < 0) {
						throw new IOException("closed");
					}
					out.write(buffer.array(), 0, n);
				}
				return out.toByteArray();
			}
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(request);
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream reply = new ByteArrayOutputStream();
			byte[] buffer = new byte[65536];
			while (!complete(reply.toByteArray(), untilEnd)) {
				int n = in.read(buffer);
				if (n < 0) {
					throw new IOException("closed");
				}
				reply.write(buffer, 0, n);
			}
			return reply.toByteArray();
		}
	}

	private static boolean complete(byte[] reply, boolean untilEnd) {
		String text = new String(reply, StandardCharsets.ISO_8859_1);
		if (untilEnd) {
			return text.endsWith("END\r\n") && (text.equals("END\r\n") || endsValueBlock(reply));
		}
		return text.endsWith("\r\n");
	}

	/** The reply ends with END and the VALUE's declared length has fully arrived. */
	private static boolean endsValueBlock(byte[] reply) {
		String text = new String(reply, StandardCharsets.ISO_8859_1);
		if (!text.startsWith("VALUE ")) {
			return true;
		}
		int headerEnd = text.indexOf("\r\n");
		String[] header = text.substring(0, headerEnd).split(" ");
		int length = Integer.parseInt(header[3]);
		return reply.length >= headerEnd + 2 + length + 2 + 5;
	}

	/**
	 * Call {@code read} every 50 ms until it gives a value, for at most 10 s: for a backend that has to notice that its
	 * server is back.
	 * @param read a read through the backend
	 * @return the first value, or {@code null} if none came in time
	 */
	static @Nullable Object awaitValue(Supplier<@Nullable Object> read) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		Object value = read.get();
		while (value == null && System.nanoTime() < deadline) {
			sleep(50);
			value = read.get();
		}
		return value;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
