package io.cacheframework.backend.redis;

import io.cacheframework.spring.AbstractDjangoCacheTests;
import io.cacheframework.spring.SpringCacheTestApplication;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring's cache contract on a real {@code redis-server}, the alias and {@code default} (which holds the namespaces)
 * each in a database of its own, since clearing an alias without a key prefix is {@code FLUSHDB}. Its
 * {@code retrieve}s run on Lettuce's futures.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "app.caches.default.backend=redis", "app.caches.testCache.backend=redis",
				"app.caches.testCache.options.operation-timeout=1s" })
// The servers stop after the class: close the context with them, so that its client does not reconnect for the
// rest of the run (and log into the next test's capture).
@DirtiesContext
class RedisDjangoCacheTests extends AbstractDjangoCacheTests {

	static final RedisServer server = RedisServer.start();

	@DynamicPropertySource
	static void locations(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", () -> server.location(0));
		registry.add("app.caches.testCache.location", () -> server.location(1));
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

}
