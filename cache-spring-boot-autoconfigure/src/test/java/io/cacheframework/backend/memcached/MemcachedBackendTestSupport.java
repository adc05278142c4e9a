package io.cacheframework.backend.memcached;

import io.cacheframework.core.CacheSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real memcached for each test class (started before it, stopped after it), emptied before each test, and a
 * backend with default settings on it for each test.
 */
abstract class MemcachedBackendTestSupport {

	static MemcachedServer server;

	MemcachedCacheBackend cache;

	@BeforeAll
	static void startServer() {
		server = MemcachedServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@BeforeEach
	void createCache() throws Exception {
		server.command("flush_all");
		this.cache = new MemcachedCacheBackend(CacheSettings.builder("default").location(server.location()).build());
	}

	@AfterEach
	void closeCache() {
		this.cache.close();
	}

}
