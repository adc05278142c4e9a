package io.cacheframework.backend.memcached;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY.md §7 A8 on the server side: the expiry memcached itself records for each Django timeout, read back
 * through the Actuator key listing (memcached's {@code lru_crawler metadump}, which reports the absolute expiry the
 * server holds). memcached reads an exptime over 30 days as an absolute Unix time, so a relative 30 days + 1 s sent
 * as is would be a date in 1970 and the item would be gone at once: it must be here, due in 30 days + 1 s. The
 * exact values sent are {@code MemcachedWireFormatTests.timeoutsAreConvertedAsDjangoDoes}; reads after each
 * timeout on every backend are the contract's {@code longTimeout}, {@code foreverTimeout}, {@code zeroTimeout} and
 * {@code negativeTimeout}.
 *
 * <p>Margin: the expiry must be within 3 s of now + timeout (memcached's clock ticks in seconds; the calls and the
 * listing take milliseconds).
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, "app.caches.default.backend=memcached" })
@AutoConfigureMockMvc
// Closed after the class: its memcached stops, and a cached context would keep a client (and its I/O thread)
// reconnecting to it for the rest of the JVM.
@DirtiesContext
class MemcachedServerExpiryTests {

	private static final long THIRTY_DAYS = 2_592_000;

	static final MemcachedServer server = MemcachedServer.start();

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", server::location);
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void theServerHoldsDjangosExpiryForEveryTimeout() throws Exception {
		CacheBackend cache = this.caches.get("default");
		Instant now = Instant.now();
		cache.set("sixty", "v", Timeout.seconds(60));
		cache.set("thirty-days", "v", Timeout.seconds(THIRTY_DAYS));
		cache.set("thirty-days-and-a-second", "v", Timeout.seconds(THIRTY_DAYS + 1));
		cache.set("never", "v", Timeout.NEVER);
		cache.set("default", "v");
		cache.set("zero", "v", Timeout.seconds(0));
		cache.set("negative", "v", Timeout.seconds(-5));
		String json = this.mvc.get().uri("/actuator/cachebackends/default/keys?limit=1000").exchange().getResponse()
			.getContentAsString();
		assertThat(expires(json, "sixty")).isCloseTo(now.plusSeconds(60), within());
		assertThat(expires(json, "thirty-days")).isCloseTo(now.plusSeconds(THIRTY_DAYS), within());
		assertThat(expires(json, "thirty-days-and-a-second")).isCloseTo(now.plusSeconds(THIRTY_DAYS + 1), within());
		assertThat(expires(json, "default")).isCloseTo(now.plusSeconds(300), within());
		assertThat(listed(json, "never")).singleElement()
			.satisfies((key) -> assertThat(key.get("expires")).as("never expires").isNull());
		assertThat(listed(json, "zero")).as("timeout 0: not stored").isEmpty();
		assertThat(listed(json, "negative")).as("negative timeout: not stored").isEmpty();
		assertThat(server.rawGet(":1:zero")).isNull();
		assertThat(server.rawGet(":1:negative")).isNull();
		assertThat(cache.getMany(List.of("sixty", "thirty-days", "thirty-days-and-a-second", "never", "default",
				"zero", "negative"))).containsOnlyKeys("sixty", "thirty-days", "thirty-days-and-a-second", "never",
						"default");
	}

	private static org.assertj.core.data.TemporalUnitOffset within() {
		return org.assertj.core.api.Assertions.within(3, java.time.temporal.ChronoUnit.SECONDS);
	}

	private static List<Map<String, Object>> listed(String json, String key) {
		return JsonPath.read(json, "$.keys[?(@.key == ':1:" + key + "')]");
	}

	private static Instant expires(String json, String key) {
		List<Map<String, Object>> found = listed(json, key);
		assertThat(found).as("%s is listed", key).hasSize(1);
		Object expires = found.get(0).get("expires");
		assertThat(expires).as("%s has an expiry", key).isNotNull();
		return Instant.parse((String) expires);
	}

}
