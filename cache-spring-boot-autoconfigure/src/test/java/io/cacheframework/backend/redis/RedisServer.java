package io.cacheframework.backend.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} for tests, on a free loopback port (or a unix socket) of its own, never the machine's
 * Redis on 6379: started with no persistence, stopped, killed, paused (SIGSTOP) and resumed (SIGCONT) on demand, and
 * reachable through a raw Lettuce connection (not the backend) to plant and inspect values. A missing binary fails
 * the test loudly: these tests must never be skipped silently.
 */
final class RedisServer implements AutoCloseable {

	private final int port;

	private final @Nullable Path socket;

	private final Path dir;

	private final List<String> extraArgs;

	private Process process;

	private RedisClient rawClient;

	private StatefulRedisConnection<byte[], byte[]> rawConnection;

	private RedisServer(int port, @Nullable Path socket, List<String> extraArgs) {
		this.port = port;
		this.socket = socket;
		this.extraArgs = extraArgs;
		try {
			this.dir = Files.createTempDirectory("redis-test");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A server on a free loopback port. */
	static RedisServer start(String... extraArgs) {
		return startOnPort(freePort(), extraArgs);
	}

	/** A server on a given loopback port. */
	static RedisServer startOnPort(int port, String... extraArgs) {
		RedisServer server = new RedisServer(port, null, List.of(extraArgs));
		server.launch();
		return server;
	}

	/** A replica of {@code primary} ({@code --replicaof}), caught up before this returns. */
	static RedisServer startReplicaOf(RedisServer primary) {
		RedisServer replica = start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (!replica.info("replication").contains("master_link_status:up")) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("replica never linked to its primary: " + replica.info("replication"));
			}
			sleep(20);
		}
		return replica;
	}

	/** A server listening on a unix socket only, in a fresh temporary directory. */
	static RedisServer startUnix() {
		try {
			Path dir = Files.createTempDirectory("redis-sock");
			RedisServer server = new RedisServer(0, dir.resolve("redis.sock"), List.of());
			server.launch();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A free loopback port whose cluster bus port (+10000) is free too.
	 */
	static int freePort() {
		for (int attempt = 0; attempt < 100; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				int port = socket.getLocalPort();
				if (port != 6379 && port + 10000 < 65536) {
					try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getLoopbackAddress())) {
						return port;
					}
					catch (IOException busTaken) {
						// Try another.
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("no free port pair");
	}

	static String binary(String name) {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
			File candidate = new File(dir, name);
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		for (String path : new String[] { "/usr/bin/" + name, "/usr/local/bin/" + name }) {
			if (new File(path).canExecute()) {
				return path;
			}
		}
		throw new AssertionError(name + " not found on PATH: these tests need a real Redis "
				+ "(install it with 'apt-get install -y redis-server redis-tools')");
	}

	private synchronized void launch() {
		List<String> command = new ArrayList<>(List.of(binary("redis-server"), "--save", "", "--appendonly", "no",
				"--dir", this.dir.toString(), "--loglevel", "warning", "--daemonize", "no"));
		if (this.socket != null) {
			command.addAll(List.of("--port", "0", "--unixsocket", this.socket.toString(), "--unixsocketperm", "700"));
		}
		else {
			command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1"));
		}
		command.addAll(this.extraArgs);
		try {
			this.process = new ProcessBuilder(command).directory(this.dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.dir.resolve("redis.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot start " + command + ": " + ex, ex);
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new AssertionError("redis-server exited at once with " + this.process.exitValue() + ": "
						+ command + "\n" + log());
			}
			if (ping()) {
				return;
			}
			sleep(10);
		}
		throw new AssertionError("redis-server did not start listening within 10 s: " + command);
	}

	String log() {
		try {
			return Files.readString(this.dir.resolve("redis.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/** {@code redis://127.0.0.1:port/db}, or {@code redis-socket://path?db=N}. */
	String location(int db) {
		return (this.socket != null) ? "redis-socket://" + this.socket + "?db=" + db
				: "redis://127.0.0.1:" + this.port + "/" + db;
	}

	String location() {
		return location(0);
	}

	/** The name the backend gives this server in health and logs. */
	String address() {
		return (this.socket != null) ? this.socket.toString() : "127.0.0.1:" + this.port;
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/** A raw connection (database 0) for planting and checking values; not the backend under test. */
	synchronized RedisCommands<byte[], byte[]> raw() {
		if (this.rawConnection == null || !this.rawConnection.isOpen()) {
			closeRaw();
			this.rawClient = RedisClient.create();
			RedisURI uri = RedisURI.create(location(0));
			uri.setTimeout(java.time.Duration.ofSeconds(10));
			this.rawConnection = this.rawClient.connect(ByteArrayCodec.INSTANCE, uri);
		}
		return this.rawConnection.sync();
	}

	String info(String section) {
		return raw().info(section);
	}

	/** Stop (SIGTERM) and wait. */
	synchronized void stop() {
		closeRaw();
		if (this.process != null) {
			signal("CONT");
			this.process.destroy();
			waitFor();
		}
	}

	/** Kill (SIGKILL) and wait, as a crash. */
	synchronized void kill() {
		closeRaw();
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

	/** kill(2) returns before the signal takes effect: wait until every thread is really stopped (or running). */
	private void awaitState(boolean stopped) throws IOException, InterruptedException {
		Path tasks = Path.of("/proc", Long.toString(this.process.pid()), "task");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (System.nanoTime() < deadline) {
			boolean all = true;
			try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
				for (Path thread : (Iterable<Path>) threads::iterator) {
					String stat = Files.readString(thread.resolve("stat"));
					char state = stat.charAt(stat.lastIndexOf(')') + 2);
					all &= (state == 'T' || state == 't') == stopped;
				}
			}
			catch (java.nio.file.NoSuchFileException ex) {
				all = false;
			}
			if (all) {
				return;
			}
			Thread.sleep(1);
		}
		throw new AssertionError("redis-server " + this.process.pid() + " did not become "
				+ (stopped ? "stopped" : "running"));
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
	}

	private synchronized void closeRaw() {
		if (this.rawClient != null) {
			this.rawClient.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
			this.rawClient = null;
			this.rawConnection = null;
		}
	}

	@Override
	public void close() {
		kill();
	}

	/** {@code PING} over a fresh connection, with a short timeout. */
	boolean ping() {
		byte[] request = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
		try {
			if (this.socket != null) {
				if (!Files.exists(this.socket)) {
					return false;
				}
				try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
					channel.connect(UnixDomainSocketAddress.of(this.socket));
					channel.write(ByteBuffer.wrap(request));
					ByteBuffer reply = ByteBuffer.allocate(64);
					channel.read(reply);
					return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).startsWith("+PONG");
				}
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
				socket.setSoTimeout(1000);
				OutputStream out = socket.getOutputStream();
				out.write(request);
				out.flush();
				InputStream in = socket.getInputStream();
				byte[] reply = new byte[64];
				int n = in.read(reply);
				return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
			}
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Call {@code read} every 50 ms until it gives a value, for at most 10 s.
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
