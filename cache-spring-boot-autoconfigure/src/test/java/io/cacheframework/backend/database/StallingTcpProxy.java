package io.cacheframework.backend.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-JVM TCP proxy on a free loopback port that can stall: while stalled it still accepts connections (and
 * opens the upstream one), but forwards no byte in either direction, as a database that hangs (SIGSTOP, a
 * blackholed network) looks to its clients. The kernel keeps accepting what clients write until the socket buffers
 * fill, so writes succeed and reads wait. When it forwards again, bytes held meanwhile are delivered.
 *
 * <p>It can also go down as a restarting database does: every open connection is closed at once, and until it is
 * up again each new connection is closed as soon as it is accepted.
 */
final class StallingTcpProxy implements AutoCloseable {

	private final InetSocketAddress target;

	private final ServerSocket server;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final AtomicInteger accepted = new AtomicInteger();

	private final Object gate = new Object();

	private volatile boolean stalled;

	private volatile boolean closed;

	private volatile boolean down;

	StallingTcpProxy(String host, int port) throws IOException {
		this.target = new InetSocketAddress(host, port);
		this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::acceptLoop, "stalling-proxy-accept-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Connections accepted so far (each client connect, including a driver's cancel-request connections).
	 */
	int accepted() {
		return this.accepted.get();
	}

	/**
	 * Stop forwarding in both directions, on existing and new connections.
	 */
	void stall() {
		this.stalled = true;
	}

	/**
	 * Forward again, held bytes first.
	 */
	void resume() {
		synchronized (this.gate) {
			this.stalled = false;
			this.gate.notifyAll();
		}
	}

	/**
	 * Close every open connection, and every new one until {@link #up()}.
	 */
	void down() {
		this.down = true;
		this.sockets.forEach(StallingTcpProxy::close);
		this.sockets.clear();
	}

	/**
	 * Accept and forward connections again.
	 */
	void up() {
		this.down = false;
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				this.accepted.incrementAndGet();
				if (this.down) {
					close(client);
					continue;
				}
				this.sockets.add(client);
				Socket upstream = new Socket();
				this.sockets.add(upstream);
				try {
					upstream.connect(this.target, 5000);
				}
				catch (IOException ex) {
					close(client);
					close(upstream);
					continue;
				}
				pump(client, upstream, "up");
				pump(upstream, client, "down");
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void pump(Socket from, Socket to, String direction) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				while (true) {
					awaitForwarding();
					int read = in.read(buffer);
					if (read < 0) {
						break;
					}
					// Bytes read just before a stall are held, not delivered, until it ends.
					awaitForwarding();
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// The other side went away, or the proxy is closing.
			}
			finally {
				close(from);
				close(to);
			}
		}, "stalling-proxy-" + direction);
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitForwarding() throws InterruptedException {
		synchronized (this.gate) {
			while (this.stalled && !this.closed) {
				this.gate.wait();
			}
		}
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already gone.
		}
	}

	@Override
	public void close() {
		this.closed = true;
		resume();
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
		this.sockets.forEach(StallingTcpProxy::close);
	}

}
