package io.cacheframework.backend.memcached;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake memcached on a unix socket that answers each request line with what a script says, for replies a real
 * memcached never sends: the attacker's view of the client. {@code stats} is answered with one statistic (so the
 * server reads as alive), {@code delete} with {@code DELETED}; everything else goes to the script, which returns the
 * reply's bytes, or {@link #ENDLESS} to stream a reply that never ends.
 */
final class HostileMemcached implements AutoCloseable {

	/** A reply of {@code A}s without end (until the client hangs up, or 256 MB). */
	static final byte[] ENDLESS = new byte[0];

	private final Path socket;

	private final ServerSocketChannel server;

	private final Function<String, byte[]> script;

	private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();

	private volatile boolean closed;

	HostileMemcached(Function<String, byte[]> script) throws IOException {
		this.script = script;
		this.socket = Files.createTempDirectory("hostile").resolve("memcached.sock");
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.socket));
		Thread acceptor = new Thread(this::accept, "hostile-memcached");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** {@code unix:/path}, as written in {@code location}. */
	String location() {
		return "unix:" + this.socket;
	}

	String address() {
		return this.socket.toString();
	}

	private void accept() {
		while (!this.closed) {
			try {
				SocketChannel connection = this.server.accept();
				this.connections.add(connection);
				Thread thread = new Thread(() -> serve(connection), "hostile-memcached-connection");
				thread.setDaemon(true);
				thread.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(SocketChannel connection) {
		try (connection) {
			InputStream in = Channels.newInputStream(connection);
			OutputStream out = Channels.newOutputStream(connection);
			String line;
			while ((line = readLine(in)) != null) {
				byte[] reply;
				if (line.startsWith("stats")) {
					reply = "STAT uptime 1\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);
				}
				else if (line.startsWith("delete")) {
					reply = "DELETED\r\n".getBytes(StandardCharsets.US_ASCII);
				}
				else {
					reply = this.script.apply(line);
				}
				if (reply == ENDLESS) {
					byte[] chunk = "A".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
					for (int i = 0; i < 4096 && !this.closed; i++) {
						out.write(chunk);
					}
					return;
				}
				out.write(reply);
				out.flush();
			}
		}
		catch (IOException ex) {
			// The client hung up: what a client that gives up does.
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1) {
			if (b == '\n') {
				String text = line.toString(StandardCharsets.UTF_8);
				return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
			}
			line.write(b);
		}
		return null;
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		this.server.close();
		for (SocketChannel connection : this.connections) {
			connection.close();
		}
		Files.deleteIfExists(this.socket);
	}

}
