package io.cacheframework.backend.memcached;

/**
 * {@link MemcachedServer} for tests in other packages.
 */
public final class MemcachedServerAccess implements AutoCloseable {

	private final MemcachedServer server;

	private MemcachedServerAccess(MemcachedServer server) {
		this.server = server;
	}

	/**
	 * Start a memcached on a free loopback port.
	 * @return the running server
	 */
	public static MemcachedServerAccess start() {
		return new MemcachedServerAccess(MemcachedServer.start());
	}

	/**
	 * A free loopback port.
	 * @return the port
	 */
	public static int freePort() {
		return MemcachedServer.freePort();
	}

	/**
	 * The location to configure.
	 * @return {@code 127.0.0.1:port}
	 */
	public String location() {
		return this.server.location();
	}

	/**
	 * The address the backend reports.
	 * @return {@code 127.0.0.1:port}
	 */
	public String address() {
		return this.server.address();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
