package io.cacheframework.backend.memcached;

import io.cacheframework.spring.AbstractDjangoCacheTests;
import io.cacheframework.spring.SpringCacheTestApplication;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring's cache contract on real memcached servers, one per alias: clearing an alias is {@code flush_all} of its
 * servers, so the alias and the namespaces of {@code default} must not share one.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "app.caches.default.backend=memcached", "app.caches.testCache.backend=memcached",
				"app.caches.testCache.options.operation-timeout=1s" })
// The servers stop after the class: close the context with them, so that its client does not reconnect for the
// rest of the run (and log into the next test's capture).
@DirtiesContext
class MemcachedDjangoCacheTests extends AbstractDjangoCacheTests {

	static final MemcachedServer defaultServer = MemcachedServer.start();

	static final MemcachedServer aliasServer = MemcachedServer.start();

	@DynamicPropertySource
	static void locations(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", defaultServer::location);
		registry.add("app.caches.testCache.location", aliasServer::location);
	}

	@AfterAll
	static void stopServers() {
		defaultServer.close();
		aliasServer.close();
	}

}
