package io.cacheframework.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

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
 * What operators get without configuring anything (issue 12, item 13), with the endpoint exposed: clearing through
 * {@code DELETE /actuator/cachebackends/{alias}} is off (on memcached it would flush every server, other
 * applications' keys included), and a cache whose only server is down (a real outage: nothing listens on its port)
 * leaves {@code /actuator/health} at 200 {@code UP}, with the outage in the alias's details.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=locmem", "app.caches.default.location=endpoint-defaults",
				"app.caches.sessions.backend=memcached", "app.caches.sessions.options.operation-timeout=200ms" })
@AutoConfigureMockMvc
class CacheBackendsEndpointDefaultsTests {

	static final String DEAD_SERVER = "127.0.0.1:" + freePort();

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.sessions.location", () -> DEAD_SERVER);
	}

	@Test
	void clearingIsOffByDefault() {
		this.caches.get("default").set("kept", "value");
		MvcTestResult delete = this.mvc.delete().uri("/actuator/cachebackends/default").exchange();
		assertThat(delete.getResponse().getStatus()).isEqualTo(405);
		assertThat(this.caches.get("default").get("kept")).isEqualTo("value");
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default")).hasStatusOk();
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default/keys")).hasStatusOk();
	}

	@Test
	void aCacheWhoseServersAreAllDownDoesNotMakeTheApplicationUnhealthy() {
		String sessions = awaitHealth("\"unavailable\":true");
		assertThat((String) JsonPath.read(sessions, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(sessions, "$.description")).startsWith("unavailable: " + DEAD_SERVER
				+ " is down");
		assertThat((Boolean) JsonPath.read(sessions, "$.details.degraded")).isTrue();
		assertThat((String) JsonPath.read(sessions, "$.details.component")).isEqualTo(DEAD_SERVER);
		MvcTestResult overall = this.mvc.get().uri("/actuator/health").exchange();
		assertThat(overall).hasStatusOk();
		String json = body(overall);
		assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(json, "$.components.cachebackends.status")).isEqualTo("UP");
		assertThat((Boolean) JsonPath.read(json, "$.components.cachebackends.components.sessions.details.unavailable"))
			.isTrue();
		assertThat((String) JsonPath.read(json, "$.components.cachebackends.components.default.status"))
			.isEqualTo("UP");
		assertThat(json).doesNotContain("\"DOWN\"");
		assertThat(this.caches.get("sessions").get("anything")).isNull();
	}

	private String awaitHealth(String expected) {
		String health = "";
		for (int attempt = 0; attempt < 100; attempt++) {
			health = body(this.mvc.get().uri("/actuator/health/cachebackends/sessions").exchange());
			if (health.contains(expected)) {
				return health;
			}
			sleep(100);
		}
		throw new AssertionError("health never contained " + expected + ": " + health);
	}

	static String body(MvcTestResult result) {
		try {
			return result.getResponse().getContentAsString();
		}
		catch (java.io.UnsupportedEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * A loopback port nothing listens on.
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
