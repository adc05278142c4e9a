package io.cacheframework.backend.memcached;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared contract (Django's {@code BaseCacheTests}) against a real memcached started on a free port. memcached
 * owns time, so expiry tests really wait; it does not cull, {@code clear()} is {@code flush_all}, and invalid keys
 * throw.
 */
class MemcachedCacheBackendTests extends AbstractCacheBackendTests {

	private static MemcachedServer server;

	@BeforeAll
	static void startServer() {
		server = MemcachedServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new MemcachedCacheBackend(settings, new MemcachedOptions(), new DefaultValueSerializer());
	}

	@Override
	protected String newLocation() {
		return server.location();
	}

	@Override
	protected boolean clockIsSimulated() {
		return false;
	}

	@Override
	protected boolean supportsCulling() {
		return false;
	}

	@Override
	protected boolean clearIsScopedToLocation() {
		return false;
	}

	@Override
	protected boolean invalidKeysThrow() {
		return true;
	}

}
