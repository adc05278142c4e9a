package io.cacheframework.backend.redis;

import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health and meters on a real {@code redis-server}: keys come from {@code SCAN}, sizes from
 * {@code STRLEN} (the pickle's length), statistics from {@code INFO}, health from {@code ROLE}.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=redis", "app.caches.default.options.operation-timeout=2s" })
// The servers stop after the class: close the context with them, so that its client does not reconnect for the
// rest of the run (and log into the next test's capture).
@DirtiesContext
class RedisCacheBackendsEndpointTests extends AbstractCacheBackendsEndpointTests {

	static final RedisServer server = RedisServer.start();

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", RedisCacheBackendsEndpointTests::settingLocationOf);
	}

	private static String settingLocationOf() {
		return server.location(0);
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected String expectedBackend() {
		return "redis";
	}

	@Override
	protected String settingLocation() {
		return settingLocationOf();
	}

	@Override
	protected long expectedSizeOfGuyan() {
		return new RedisWireFormat(new ValueCodec(new DefaultValueSerializer())).encode("guyan").length;
	}

	@Test
	void eachServersRoleAndInfo() {
		cache().set("stat", "x");
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default").exchange());
		Map<String, Object> stats = JsonPath.read(json, "$.stats.servers['" + server.address() + "']");
		assertThat(stats).containsEntry("configured", "primary")
			.containsEntry("connected", true)
			.containsEntry("role", "master")
			.containsKeys("redis_version", "used_memory", "keyspace_hits", "db0");
		assertThat(((Number) JsonPath.read(json, "$.stats.entries")).longValue()).isPositive();
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UP");
		assertThat(health).contains(server.address()).contains("\"role\":\"master\"");
	}

}
