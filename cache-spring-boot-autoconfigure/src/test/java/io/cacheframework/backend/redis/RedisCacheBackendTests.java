package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared contract (Django's {@code BaseCacheTests}) against one real {@code redis-server} of its own. Each test
 * gets a database of its own (Django's LOCATION with {@code /db}), so {@code clear()}, which is {@code FLUSHDB}
 * without a key prefix, is scoped to the test's location. Redis owns time: expiry tests really wait. There is no
 * culling, and invalid keys only warn, as in Django's {@code RedisCache}.
 */
class RedisCacheBackendTests extends AbstractCacheBackendTests {

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

	static RedisOptions options() {
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(Duration.ofSeconds(2));
		return options;
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new RedisCacheBackend(settings, options(), new DefaultValueSerializer());
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
