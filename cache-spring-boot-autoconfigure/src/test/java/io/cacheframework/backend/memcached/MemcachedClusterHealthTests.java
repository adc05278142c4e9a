package io.cacheframework.backend.memcached;

import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A memcached cluster of two real servers with one stopped: the alias is degraded (UP, {@code degraded: true},
 * the stopped server DOWN in its details), not DOWN, and the endpoint still answers; with both stopped it is still UP
 * with {@code unavailable: true} (a cache outage must not take the application out of a load balancer), unless
 * {@code app.cache-health.down-when-unavailable} is set.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=memcached", "app.caches.default.options.operation-timeout=300ms",
				"app.caches.default.options.reconnect-delay=1s", "app.caches.default.options.timeout-threshold=2" })
@AutoConfigureMockMvc
// The servers stop after the class: close the context with them, so that its client does not reconnect for the
// rest of the run (and log into the next test's capture).
@DirtiesContext
class MemcachedClusterHealthTests {

	static final MemcachedServer first = MemcachedServer.start();

	static final MemcachedServer second = MemcachedServer.start();

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", () -> first.location() + "," + second.location());
	}

	@AfterAll
	static void stopServers() {
		first.close();
		second.close();
	}

	@Test
	void oneServerDownIsDegradedBothDownIsUnavailableButUp() {
		CacheBackend cache = this.caches.get("default");
		for (int i = 0; i < 20; i++) {
			cache.set("spread-" + i, i);
		}
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UP");
		assertThat(health).doesNotContain("degraded");

		second.stop();
		// The client notices a lost connection asynchronously; requests in between still count as answers.
		String degraded = awaitHealth("degraded");
		assertThat((String) JsonPath.read(degraded, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(degraded, "$.description")).isEqualTo("degraded: 1 of 2 servers down");
		assertThat((Boolean) JsonPath.read(degraded, "$.details.degraded")).isTrue();
		assertThat((String) JsonPath.read(degraded, "$.details.servers['" + second.address() + "'].status"))
			.isEqualTo("DOWN");
		assertThat((String) JsonPath.read(degraded, "$.details.servers['" + first.address() + "'].status"))
			.isEqualTo("UP");
		MvcTestResult overall = this.mvc.get().uri("/actuator/health").exchange();
		assertThat(overall).hasStatusOk();

		MvcTestResult endpoint = this.mvc.get().uri("/actuator/cachebackends/default").exchange();
		assertThat(endpoint).hasStatusOk();
		Map<String, Object> down = JsonPath.read(body(endpoint), "$.stats.servers['" + second.address() + "']");
		assertThat(down).containsEntry("alive", false);
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default/keys")).hasStatusOk();
		cache.set("still-served", "yes");
		assertThat(cache.get("still-served")).isEqualTo("yes");

		first.stop();
		String allDown = awaitHealth("\"unavailable\":true");
		assertThat((String) JsonPath.read(allDown, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(allDown, "$.details.servers['" + first.address() + "'].status"))
			.isEqualTo("DOWN");
		assertThat(this.mvc.get().uri("/actuator/health")).hasStatusOk();
		assertThat(this.mvc.get().uri("/actuator/cachebackends")).hasStatusOk();
	}

	private String awaitHealth(String expected) {
		String health = "";
		for (int attempt = 0; attempt < 100; attempt++) {
			health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
			if (health.contains(expected)) {
				return health;
			}
			MemcachedServer.sleep(100);
		}
		throw new AssertionError("health never contained " + expected + ": " + health);
	}

	private static String body(MvcTestResult result) {
		try {
			return result.getResponse().getContentAsString();
		}
		catch (java.io.UnsupportedEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
