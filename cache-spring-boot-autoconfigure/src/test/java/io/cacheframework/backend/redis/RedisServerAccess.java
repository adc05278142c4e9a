package io.cacheframework.backend.redis;

/**
 * A {@link RedisServer} for tests outside this package (auto-configuration, sample-style applications).
 */
public final class RedisServerAccess implements AutoCloseable {

	private final RedisServer server;

	private RedisServerAccess(RedisServer server) {
		this.server = server;
	}

	/**
	 * Start a {@code redis-server} on a free loopback port.
	 * @return the server
	 */
	public static RedisServerAccess start() {
		return new RedisServerAccess(RedisServer.start());
	}

	/**
	 * A free loopback port.
	 * @return the port
	 */
	public static int freePort() {
		return RedisServer.freePort();
	}

	/**
	 * The server's location in a database.
	 * @param db the database
	 * @return {@code redis://127.0.0.1:port/db}
	 */
	public String location(int db) {
		return this.server.location(db);
	}

	/**
	 * The server's name in health and logs.
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
