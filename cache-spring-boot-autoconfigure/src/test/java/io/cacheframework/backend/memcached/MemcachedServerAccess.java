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

	/**
	 * Whether the server holds {@code key}, read with a raw {@code get} over a connection of its own.
	 * @param key the key exactly as stored (e.g. {@code pwn} or {@code :1:username})
	 * @return whether {@code get} found it
	 * @throws java.io.IOException if the server cannot be reached
	 */
	public boolean holds(String key) throws java.io.IOException {
		return this.server.rawGet(key) != null;
	}

	/**
	 * A statistic from {@code stats}.
	 * @param name e.g. {@code curr_items}
	 * @return its value
	 * @throws java.io.IOException if the server cannot be reached
	 */
	public long stat(String name) throws java.io.IOException {
		return this.server.stat(name);
	}

	@Override
	public void close() {
		this.server.close();
	}

}
