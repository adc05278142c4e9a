package io.cacheframework.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A memcached or redis-server process a benchmark starts for itself on a free loopback port (the binary must be on
 * the PATH), never a server of the machine's.
 *
 * @param process the running server
 * @param port its port on 127.0.0.1
 */
record LocalServer(Process process, int port) {

	/**
	 * Start memcached (64 MB, UDP off) and wait until it listens.
	 * @return the server
	 * @throws IOException if it cannot be started
	 * @throws InterruptedException if interrupted while waiting
	 */
	static LocalServer memcached() throws IOException, InterruptedException {
		int port = freePort();
		List<String> command = new ArrayList<>(List.of(binary("memcached"), "-U", "0", "-l", "127.0.0.1", "-p",
				Integer.toString(port), "-m", "64"));
		if ("root".equals(System.getProperty("user.name"))) {
			command.addAll(List.of("-u", "root"));
		}
		return start(command, port);
	}

	/**
	 * Start redis-server (nothing kept on disk) and wait until it listens.
	 * @return the server
	 * @throws IOException if it cannot be started
	 * @throws InterruptedException if interrupted while waiting
	 */
	static LocalServer redis() throws IOException, InterruptedException {
		int port = freePort();
		File dir = Files.createTempDirectory("redis-bench").toFile();
		return start(List.of(binary("redis-server"), "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", dir.getAbsolutePath()), port);
	}

	/** {@code host:port} of the server. */
	String address() {
		return "127.0.0.1:" + this.port;
	}

	/** Stop the server. */
	void stop() {
		this.process.destroyForcibly();
	}

	private static LocalServer start(List<String> command, int port) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectErrorStream(true)
			.start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket("127.0.0.1", port)) {
				return new LocalServer(process, port);
			}
			catch (IOException ex) {
				Thread.sleep(10);
			}
		}
		process.destroyForcibly();
		throw new IllegalStateException(command.get(0) + " did not start on port " + port);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static String binary(String name) {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
			File candidate = new File(dir, name);
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		throw new IllegalStateException(name + " not found on PATH (apt-get install -y " + name + ")");
	}

}
