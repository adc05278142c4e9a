package io.cacheframework.backend.memcached;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract through memcached's asynchronous primitives (spymemcached's futures, each joined by the test),
 * against a memcached of its own.
 */
class MemcachedAsyncContractTests extends AbstractCacheBackendTests {

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
		return new AsyncJoiningCacheBackend(
				new MemcachedCacheBackend(settings, new MemcachedOptions(), new DefaultValueSerializer()));
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
