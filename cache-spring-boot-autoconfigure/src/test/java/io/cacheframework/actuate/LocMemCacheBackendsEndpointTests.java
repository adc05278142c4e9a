package io.cacheframework.actuate;

import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.core.Timeout;
import io.cacheframework.spring.DjangoCacheManager;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.Cache;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health and meters on local memory, plus what does not depend on the backend: null timeouts, bad
 * requests, Spring cache names created after startup, Boot's {@code caches} endpoint.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=locmem", "app.caches.default.location=actuator-locmem",
				"app.caches.forever.location=actuator-forever", "app.caches.forever.timeout=none",
				"app.caches.nothing.backend=dummy", "app.cache-metrics.operation-timers=all" })
class LocMemCacheBackendsEndpointTests extends AbstractCacheBackendsEndpointTests {

	@Autowired
	DjangoCacheManager cacheManager;

	@Override
	protected String expectedBackend() {
		return "locmem";
	}

	@Override
	protected String settingLocation() {
		return "actuator-locmem";
	}

	@Test
	void neverExpiringTimeoutIsNull() {
		String json = body(this.mvc.get().uri("/actuator/cachebackends/forever").exchange());
		assertThat(json).contains("\"timeout\":null");
		assertThat((String) JsonPath.read(json, "$.backend")).isEqualTo("locmem");
		this.caches.get("forever").set("kept", "v", Timeout.NEVER);
		String keys = body(this.mvc.get().uri("/actuator/cachebackends/forever/keys").exchange());
		assertThat(keys).contains("\"expires\":null");
	}

	@Test
	void everyAliasIsListedIncludingDummy() {
		String json = body(this.mvc.get().uri("/actuator/cachebackends").exchange());
		assertThat((java.util.Map<String, Object>) JsonPath.read(json, "$.caches")).containsOnlyKeys("default",
				"forever", "nothing");
		assertThat((String) JsonPath.read(json, "$.caches.nothing.backend")).isEqualTo("dummy");
		assertThat(((Number) JsonPath.read(json, "$.caches.nothing.stats.entries")).longValue()).isZero();
	}

	@Test
	void badKeyListingRequests() {
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default/keys?limit=0")).hasStatus(400);
		assertThat(this.mvc.get().uri("/actuator/cachebackends/nosuchalias/keys")).hasStatus(404);
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default/values")).hasStatus(404);
	}

	@Test
	void entriesAndBytesAreCounted() {
		cache().set("counted", "12345");
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default").exchange());
		assertThat(((Number) JsonPath.read(json, "$.stats.entries")).longValue()).isPositive();
		assertThat(((Number) JsonPath.read(json, "$.stats.bytes")).longValue()).isGreaterThanOrEqualTo(5);
		assertThat(metric("cache.size", "cache:default")).isPositive();
	}

	@Test
	void springCacheNameFirstUsedAfterStartupHasMeters() {
		Cache late = this.cacheManager.getCache("first-used-late");
		assertThat(late.get("k")).isNull();
		late.put("k", "v");
		assertThat(late.get("k").get()).isEqualTo("v");
		assertThat(metric("cache.gets", "cache:first-used-late", "result:miss")).isEqualTo(1);
		assertThat(metric("cache.gets", "cache:first-used-late", "result:hit")).isEqualTo(1);
		assertThat(metric("cache.puts", "cache:first-used-late")).isEqualTo(1);
		late.evict("k");
		assertThat(metric("cache.evictions", "cache:first-used-late")).isEqualTo(1);
	}

	@Test
	void bootCachesEndpointListsAliasesAndNamespacedNames() {
		this.cacheManager.getCache("listed-namespace");
		String json = body(this.mvc.get().uri("/actuator/caches").exchange());
		java.util.Map<String, Object> names = JsonPath.read(json, "$.cacheManagers.cacheManager.caches");
		assertThat(names).containsKeys("default", "forever", "nothing", "listed-namespace");
		Cache namespace = this.cacheManager.getCache("listed-namespace");
		namespace.put("k", "v");
		assertThat(this.mvc.delete().uri("/actuator/caches/listed-namespace")).hasStatus(204);
		assertThat(namespace.get("k")).isNull();
	}

	@Test
	void latencyTimersPerOperation() {
		cache().set("timed", 1);
		cache().incr("timed");
		cache().getMany(List.of("timed"));
		assertThat(metric("cache.backend.operation", "cache:default", "operation:set")).isPositive();
		assertThat(metric("cache.backend.operation", "cache:default", "operation:incr")).isPositive();
		assertThat(metric("cache.backend.operation", "cache:default", "operation:get_many", "backend:locmem"))
			.isPositive();
	}

}
