package io.cacheframework.actuate;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The opt-in: with {@code app.cache-health.down-when-unavailable=true} a cache whose only server is down is
 * {@code DOWN}, and so is the application ({@code /actuator/health} answers 503), for operators who want a cache
 * outage to take an instance out of service.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=locmem", "app.caches.default.location=health-down-opt-in",
				"app.caches.sessions.backend=memcached", "app.caches.sessions.options.operation-timeout=200ms",
				"app.cache-health.down-when-unavailable=true" })
@AutoConfigureMockMvc
class CacheBackendsHealthDownWhenUnavailableTests {

	static final String DEAD_SERVER = "127.0.0.1:" + CacheBackendsEndpointDefaultsTests.freePort();

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.sessions.location", () -> DEAD_SERVER);
	}

	@Test
	void aCacheWhoseServersAreAllDownIsDownWhenAskedFor() {
		MvcTestResult overall = null;
		for (int attempt = 0; attempt < 100; attempt++) {
			overall = this.mvc.get().uri("/actuator/health").exchange();
			if (overall.getResponse().getStatus() == 503) {
				break;
			}
			CacheBackendsEndpointDefaultsTests.sleep(100);
		}
		assertThat(overall.getResponse().getStatus()).isEqualTo(503);
		String json = CacheBackendsEndpointDefaultsTests.body(overall);
		assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("DOWN");
		assertThat((String) JsonPath.read(json, "$.components.cachebackends.components.sessions.status"))
			.isEqualTo("DOWN");
		assertThat((Boolean) JsonPath.read(json, "$.components.cachebackends.components.sessions.details.unavailable"))
			.isTrue();
		assertThat((String) JsonPath.read(json, "$.components.cachebackends.components.default.status"))
			.isEqualTo("UP");
		// Only the health report changes: calls are still misses, not errors.
		assertThat(this.caches.get("sessions").get("anything")).isNull();
	}

}
