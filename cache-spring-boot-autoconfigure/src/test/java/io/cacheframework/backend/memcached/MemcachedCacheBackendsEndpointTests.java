package io.cacheframework.backend.memcached;

import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health and meters on a real memcached: the key listing comes from {@code lru_crawler metadump},
 * statistics from each server's own {@code stats}.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=memcached", "app.caches.default.options.operation-timeout=500ms" })
// The servers stop after the class: close the context with them, so that its client does not reconnect for the
// rest of the run (and log into the next test's capture).
@DirtiesContext
class MemcachedCacheBackendsEndpointTests extends AbstractCacheBackendsEndpointTests {

	static final MemcachedServer server = MemcachedServer.start();

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", server::location);
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected String expectedBackend() {
		return "memcached";
	}

	@Override
	protected String settingLocation() {
		return server.location();
	}

	@Test
	void eachServersOwnStatistics() {
		cache().set("stat", "x");
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default").exchange());
		Map<String, Object> stats = JsonPath.read(json, "$.stats.servers['" + server.address() + "']");
		assertThat(stats).containsEntry("alive", true)
			.containsKeys("curr_items", "bytes", "evictions", "get_hits", "get_misses", "uptime");
		assertThat(((Number) JsonPath.read(json, "$.stats.entries")).longValue()).isPositive();
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(health, "$.details.component")).isEqualTo(server.address());
	}

	@Test
	void neverExpiringKeyHasNoExpiry() {
		cache().set("forever-key", 42, Timeout.NEVER);
		var keys = ((CacheInspection) cache()).inspectKeys(1000);
		assertThat(keys).filteredOn((key) -> key.key().equals(":1:forever-key"))
			.singleElement()
			.satisfies((key) -> {
				assertThat(key.expires()).isNull();
				assertThat(key.size()).isEqualTo(2);
			});
	}

}
