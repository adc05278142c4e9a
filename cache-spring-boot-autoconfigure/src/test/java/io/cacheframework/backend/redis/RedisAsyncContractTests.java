package io.cacheframework.backend.redis;

import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract through Redis's asynchronous primitives (Lettuce's futures, each joined by the test), against
 * a {@code redis-server} of its own, one database per test as in {@link RedisCacheBackendTests}.
 */
class RedisAsyncContractTests extends AbstractCacheBackendTests {

	private static final AtomicInteger databases = new AtomicInteger();

	private static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(
				new RedisCacheBackend(settings, RedisCacheBackendTests.options(), new DefaultValueSerializer()));
	}

	@Override
	protected String newLocation() {
		return server.location(databases.getAndIncrement() % 16);
	}

	@Override
	protected boolean clockIsSimulated() {
		return false;
	}

	@Override
	protected boolean supportsCulling() {
		return false;
	}

}
