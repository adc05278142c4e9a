package io.cacheframework.actuate;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.MonitoredCacheBackend;
import io.cacheframework.spring.DjangoCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A custom backend that implements only {@link CacheBackend} (issue 13: "every CacheBackend, a custom one included,
 * can be described, counted, timed and health-checked"), configured by class name and seen through the
 * auto-configuration like a built-in one: its settings and live statistics in {@code /actuator/cachebackends}, its
 * store failures turned into misses, counted and logged, its operations timed by default
 * ({@code cache.backend.operation}), Spring's cache meters for it in {@code /actuator/metrics}, and its health in
 * {@code /actuator/health}: {@code UNKNOWN} when it cannot be inspected, its own components when it can.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.location=custom-backend-default",
				"app.caches.custom.backend=io.cacheframework.actuate.MapCacheBackend",
				"app.caches.custom.key-prefix=mine", "app.caches.custom.timeout=60",
				"app.caches.inspected.backend=io.cacheframework.actuate.MapCacheBackend.Inspected" })
@AutoConfigureMockMvc
class CustomCacheBackendObservabilityTests {

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@Autowired
	DjangoCacheManager cacheManager;

	@AfterEach
	void recover() {
		MapCacheBackend.failing = false;
	}

	@Test
	void isWrappedSoThatItIsCountedAndTimed() {
		assertThat(this.caches.get("custom")).isInstanceOf(MonitoredCacheBackend.class)
			.satisfies((cache) -> assertThat(((MonitoredCacheBackend) cache).unwrap())
				.isExactlyInstanceOf(MapCacheBackend.class));
	}

	@Test
	void endpointShowsItsSettingsAndLiveStatistics() {
		Map<String, Object> before = stats("custom");
		CacheBackend cache = this.caches.get("custom");
		assertThat(cache.get("counted")).isNull();
		cache.set("counted", "v");
		assertThat(cache.get("counted")).isEqualTo("v");
		assertThat(cache.delete("counted")).isTrue();
		String json = body(this.mvc.get().uri("/actuator/cachebackends/custom").exchange());
		assertThat((String) JsonPath.read(json, "$.backend")).isEqualTo(MapCacheBackend.class.getName());
		assertThat((String) JsonPath.read(json, "$.keyPrefix")).isEqualTo("mine");
		assertThat(((Number) JsonPath.read(json, "$.timeout")).longValue()).isEqualTo(60);
		Map<String, Object> stats = JsonPath.read(json, "$.stats");
		assertThat(delta(stats, before, "hits")).isEqualTo(1);
		assertThat(delta(stats, before, "misses")).isEqualTo(1);
		assertThat(delta(stats, before, "sets")).isEqualTo(1);
		assertThat(delta(stats, before, "deletes")).isEqualTo(1);
		assertThat(delta(stats, before, "errors")).isZero();
		assertThat(body(this.mvc.get().uri("/actuator/cachebackends/custom/keys").exchange()))
			.contains("\"supported\":false");
	}

	@Test
	void storeFailuresAreMissesCountedAndLoggedOnce() {
		Map<String, Object> before = stats("custom");
		CacheBackend cache = this.caches.get("custom");
		MapCacheBackend.failing = true;
		try (LogCapture log = LogCapture.of(MapCacheBackend.class.getName())) {
			assertThat(cache.get("down")).isNull();
			cache.set("down", "v");
			assertThat(cache.add("down", "v")).isFalse();
			assertThat(cache.getMany(List.of("a", "b"))).isEmpty();
			assertThat(this.cacheManager.getCache("custom").get("down")).isNull();
			assertThat(log.storeFailures()).singleElement().asString().startsWith("Cache 'custom'");
		}
		Map<String, Object> stats = stats("custom");
		assertThat(delta(stats, before, "errors")).isEqualTo(5);
		assertThat(metric("cache.errors", "cache:custom")).isGreaterThanOrEqualTo(5);
	}

	@Test
	void operationsAreTimedByDefault() {
		this.caches.get("custom").get("timed");
		this.caches.get("custom").set("timed", 1);
		assertThat(metric("cache.backend.operation", "cache:custom", "operation:get",
				"backend:" + MapCacheBackend.class.getName()))
			.isPositive();
		assertThat(metric("cache.backend.operation", "cache:custom", "operation:set")).isPositive();
	}

	@Test
	void springCacheMetersComeFromItsStatistics() {
		CacheBackend cache = this.caches.get("custom");
		cache.set("spring-meters", "v");
		cache.get("spring-meters");
		cache.get("spring-meters-missing");
		assertThat(metric("cache.gets", "cache:custom", "result:hit")).isEqualTo(cache.statistics().hits());
		assertThat(metric("cache.gets", "cache:custom", "result:miss")).isEqualTo(cache.statistics().misses());
		assertThat(metric("cache.puts", "cache:custom")).isEqualTo(cache.statistics().sets());
	}

	@Test
	void healthIsUnknownWithoutAnInspection() {
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/custom").exchange());
		assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UNKNOWN");
		assertThat((String) JsonPath.read(health, "$.details.backend")).isEqualTo(MapCacheBackend.class.getName());
		assertThat(this.mvc.get().uri("/actuator/health")).hasStatusOk();
	}

	@Test
	void healthAndKeysComeFromItsInspection() {
		this.caches.get("inspected").set("listed", "v");
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/inspected").exchange());
		assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(health, "$.details.component")).isEqualTo("map");
		assertThat(body(this.mvc.get().uri("/actuator/cachebackends/inspected/keys").exchange()))
			.contains("\":1:listed\"");
		MapCacheBackend.failing = true;
		String down = body(this.mvc.get().uri("/actuator/health/cachebackends/inspected").exchange());
		assertThat((String) JsonPath.read(down, "$.status")).isEqualTo("UP");
		assertThat((Boolean) JsonPath.read(down, "$.details.unavailable")).isTrue();
		assertThat(this.mvc.get().uri("/actuator/health")).hasStatusOk();
	}

	private Map<String, Object> stats(String alias) {
		return JsonPath.read(body(this.mvc.get().uri("/actuator/cachebackends/" + alias).exchange()), "$.stats");
	}

	private static long delta(Map<String, Object> after, Map<String, Object> before, String counter) {
		return ((Number) after.get(counter)).longValue() - ((Number) before.get(counter)).longValue();
	}

	private double metric(String name, String... tags) {
		StringBuilder uri = new StringBuilder("/actuator/metrics/" + name + "?");
		for (String tag : tags) {
			uri.append("tag=").append(tag).append('&');
		}
		MvcTestResult result = this.mvc.get().uri(uri.toString()).exchange();
		assertThat(result).hasStatusOk();
		return ((Number) JsonPath.read(body(result), "$.measurements[0].value")).doubleValue();
	}

	private static String body(MvcTestResult result) {
		return AbstractCacheBackendsEndpointTests.body(result);
	}

}
