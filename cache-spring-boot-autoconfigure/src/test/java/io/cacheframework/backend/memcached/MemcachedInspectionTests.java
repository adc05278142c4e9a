package io.cacheframework.backend.memcached;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheInspection.KeyInfo;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link io.cacheframework.core.CacheInspection} on real memcached servers without Spring: key listing over a
 * unix socket and across a cluster, limits, and per-server health.
 */
class MemcachedInspectionTests {

	private static MemcachedCacheBackend cache(String location) {
		return new MemcachedCacheBackend(CacheSettings.builder("inspected").location(location).build(),
				MemcachedClusterTests.fastOptions(), new DefaultValueSerializer());
	}

	@Test
	void listsKeysOverAUnixSocket() {
		try (MemcachedServer server = MemcachedServer.startUnix(); MemcachedCacheBackend cache = cache(server.location())) {
			cache.set("username", "guyan", Timeout.seconds(120));
			List<KeyInfo> keys = cache.inspectKeys(100);
			assertThat(keys).singleElement().satisfies((key) -> {
				assertThat(key.key()).isEqualTo(":1:username");
				assertThat(key.size()).isEqualTo(5);
				assertThat(key.expires()).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(130));
			});
			assertThat(cache.checkHealth()).singleElement()
				.satisfies((health) -> assertThat(health.up()).isTrue());
		}
	}

	@Test
	void listsKeysOfEveryServerUpToTheLimit() {
		try (MemcachedServer first = MemcachedServer.start(); MemcachedServer second = MemcachedServer.start();
				MemcachedCacheBackend cache = cache(first.location() + "," + second.location())) {
			for (int i = 0; i < 40; i++) {
				cache.set("key" + i, "v" + i);
			}
			assertThat(cache.inspectKeys(1000)).hasSize(40).allSatisfy((key) -> assertThat(key.key()).startsWith(":1:key"));
			assertThat(cache.inspectKeys(7)).hasSize(7);
			assertThat(cache.entryCount()).isEqualTo(40);
			@SuppressWarnings("unchecked")
			Map<String, Map<String, Object>> servers = (Map<String, Map<String, Object>>) cache.inspectionDetails()
				.get("servers");
			assertThat(servers).containsOnlyKeys(first.address(), second.address());
			long onFirst = ((Number) servers.get(first.address()).get("curr_items")).longValue();
			long onSecond = ((Number) servers.get(second.address()).get("curr_items")).longValue();
			assertThat(onFirst + onSecond).isEqualTo(40);
			assertThat(onFirst).isPositive();
			assertThat(onSecond).isPositive();

			second.stop();
			List<ComponentHealth> health = awaitOneDown(cache);
			assertThat(health).extracting(ComponentHealth::component).containsExactly(first.address(), second.address());
			assertThat(health.get(0).up()).isTrue();
			assertThat(cache.inspectKeys(1000)).hasSize((int) onFirst);
		}
	}

	private static List<ComponentHealth> awaitOneDown(MemcachedCacheBackend cache) {
		List<ComponentHealth> health = cache.checkHealth();
		for (int attempt = 0; attempt < 100 && health.stream().allMatch(ComponentHealth::up); attempt++) {
			MemcachedServer.sleep(100);
			health = cache.checkHealth();
		}
		assertThat(health.get(1).up()).isFalse();
		return health;
	}

}
