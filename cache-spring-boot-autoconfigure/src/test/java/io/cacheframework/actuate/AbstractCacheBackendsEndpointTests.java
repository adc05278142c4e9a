package io.cacheframework.actuate;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cachebackends} endpoint, its health component and the cache meters, run against one real backend
 * configured as the {@code default} alias by each subclass ({@code @SpringBootTest(classes =
 * ObservabilityTestApplication.class, properties = ...)}). Public so that each backend's package can run it.
 * Clearing through the endpoint is opt-in; these tests opt in ({@link #WRITE_ACCESS}) to test it, and
 * {@link CacheBackendsEndpointDefaultsTests} checks the read-only default.
 */
@AutoConfigureMockMvc
@TestPropertySource(properties = AbstractCacheBackendsEndpointTests.WRITE_ACCESS)
public abstract class AbstractCacheBackendsEndpointTests {

	public static final String WRITE_ACCESS = "management.endpoint.cachebackends.access=unrestricted";

	public static final String EXPOSE_ALL = "management.endpoints.web.exposure.include=*";

	public static final String SHOW_DETAILS = "management.endpoint.health.show-details=always";

	@Autowired
	protected MockMvcTester mvc;

	@Autowired
	protected Caches caches;

	/**
	 * The backend name the endpoint should report for {@code default}.
	 */
	protected abstract String expectedBackend();

	protected CacheBackend cache() {
		return this.caches.get("default");
	}

	@Test
	void listsEveryAliasWithSettingsAndStatistics() {
		cache().set("endpoint-listing", "guyan", Timeout.seconds(120));
		MvcTestResult result = this.mvc.get().uri("/actuator/cachebackends").exchange();
		assertThat(result).hasStatusOk();
		String json = body(result);
		assertThat((String) JsonPath.read(json, "$.caches.default.backend")).isEqualTo(expectedBackend());
		assertThat((String) JsonPath.read(json, "$.caches.default.location")).isEqualTo(settingLocation());
		assertThat(((Number) JsonPath.read(json, "$.caches.default.timeout")).longValue()).isEqualTo(300);
		assertThat((String) JsonPath.read(json, "$.caches.default.keyPrefix")).isEqualTo("");
		assertThat((Integer) JsonPath.read(json, "$.caches.default.version")).isEqualTo(1);
		Map<String, Object> stats = JsonPath.read(json, "$.caches.default.stats");
		assertThat(stats).containsKeys("hits", "misses", "sets", "deletes", "evictions", "errors");
		assertThat(((Number) stats.get("sets")).longValue()).isPositive();
	}

	@Test
	void showsOneAlias() {
		cache().get("endpoint-one-miss");
		MvcTestResult result = this.mvc.get().uri("/actuator/cachebackends/default").exchange();
		assertThat(result).hasStatusOk();
		String json = body(result);
		assertThat((String) JsonPath.read(json, "$.backend")).isEqualTo(expectedBackend());
		assertThat(((Number) JsonPath.read(json, "$.stats.misses")).longValue()).isPositive();
		assertThat(this.mvc.get().uri("/actuator/cachebackends/nosuchalias")).hasStatus(404);
	}

	@Test
	void listsKeysWithSizeAndExpiryButNoValues() {
		cache().set("username", "guyan", Timeout.seconds(120));
		MvcTestResult result = this.mvc.get().uri("/actuator/cachebackends/default/keys?limit=1000").exchange();
		assertThat(result).hasStatusOk();
		String json = body(result);
		List<Map<String, Object>> keys = JsonPath.read(json, "$.keys[?(@.key == ':1:username')]");
		assertThat(keys).hasSize(1);
		assertThat(((Number) keys.get(0).get("size")).longValue()).isEqualTo(expectedSizeOfGuyan());
		assertThat((String) keys.get(0).get("expires")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
		assertThat(json).doesNotContain("guyan");
	}

	@Test
	void keyListingHonoursTheLimit() {
		for (int i = 0; i < 5; i++) {
			cache().set("limited-" + i, i);
		}
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default/keys?limit=2").exchange());
		assertThat((List<?>) JsonPath.read(json, "$.keys")).hasSize(2);
	}

	@Test
	void deleteClearsTheAlias() {
		cache().set("to-clear", "x");
		assertThat(this.mvc.delete().uri("/actuator/cachebackends/default")).hasStatus(204);
		assertThat(cache().get("to-clear")).isNull();
		assertThat(this.mvc.delete().uri("/actuator/cachebackends/nosuchalias")).hasStatus(404);
	}

	@Test
	void healthReportsTheAlias() {
		MvcTestResult result = this.mvc.get().uri("/actuator/health/cachebackends").exchange();
		assertThat(result).hasStatusOk();
		String json = body(result);
		assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(json, "$.components.default.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(json, "$.components.default.details.backend")).isEqualTo(expectedBackend());
	}

	@Test
	void missAndHitAppearInCacheGets() {
		double hits = metric("cache.gets", "cache:default", "result:hit");
		double misses = metric("cache.gets", "cache:default", "result:miss");
		cache().delete("metered");
		cache().get("metered");
		cache().set("metered", "v");
		cache().get("metered");
		assertThat(metric("cache.gets", "cache:default", "result:hit")).isEqualTo(hits + 1);
		assertThat(metric("cache.gets", "cache:default", "result:miss")).isEqualTo(misses + 1);
		assertThat(metric("cache.backend.operation", "cache:default", "operation:get")).isPositive();
		assertThat(metric("cache.backend.operation", "cache:default", "operation:set")).isPositive();
	}

	@Test
	void storedSecretsNeverAppearInAnyEndpoint() {
		String secret = "s3cr3t-" + getClass().getSimpleName() + "-value";
		cache().set("secret", secret, Timeout.NEVER);
		cache().set("secret-bytes", secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), Timeout.NEVER);
		cache().set("secret-object", new java.util.ArrayList<>(List.of(secret)), Timeout.NEVER);
		for (String uri : List.of("/actuator/cachebackends", "/actuator/cachebackends/default",
				"/actuator/cachebackends/default/keys?limit=10000", "/actuator/health",
				"/actuator/health/cachebackends", "/actuator/caches", "/actuator/metrics",
				"/actuator/metrics/cache.gets", "/actuator/metrics/cache.size")) {
			MvcTestResult result = this.mvc.get().uri(uri).exchange();
			assertThat(result.getResponse().getStatus()).as(uri).isEqualTo(200);
			assertThat(body(result)).as(uri).doesNotContain(secret);
		}
		assertThat(cache().get("secret")).isEqualTo(secret);
	}

	protected String settingLocation() {
		return "";
	}

	protected long expectedSizeOfGuyan() {
		return 5;
	}

	protected double metric(String name, String... tags) {
		StringBuilder uri = new StringBuilder("/actuator/metrics/" + name + "?");
		for (String tag : tags) {
			uri.append("tag=").append(tag).append('&');
		}
		MvcTestResult result = this.mvc.get().uri(uri.toString()).exchange();
		if (result.getResponse().getStatus() == 404) {
			return 0;
		}
		assertThat(result).hasStatusOk();
		List<Number> values = JsonPath.read(body(result), "$.measurements[?(@.statistic in ['COUNT', 'VALUE'])].value");
		assertThat(values).as(uri.toString()).hasSize(1);
		return values.get(0).doubleValue();
	}

	protected static String body(MvcTestResult result) {
		try {
			return result.getResponse().getContentAsString();
		}
		catch (java.io.UnsupportedEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
