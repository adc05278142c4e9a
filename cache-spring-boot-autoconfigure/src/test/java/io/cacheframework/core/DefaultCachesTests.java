package io.cacheframework.core;

import java.util.LinkedHashMap;
import java.util.Map;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DefaultCaches}: Django's {@code caches[alias]}.
 */
class DefaultCachesTests {

	@Test
	void aliasesInConfigurationOrder() {
		CacheBackend first = new DummyCacheBackend(CacheSettings.builder("default").build());
		CacheBackend second = new DummyCacheBackend(CacheSettings.builder("other").build());
		Map<String, CacheBackend> backends = new LinkedHashMap<>();
		backends.put("default", first);
		backends.put("other", second);
		try (DefaultCaches caches = new DefaultCaches(backends)) {
			assertThat(caches.aliases()).containsExactly("default", "other");
			assertThat(caches.get("default")).isSameAs(first);
			assertThat(caches.get("other")).isSameAs(second);
			backends.clear();
			assertThat(caches.aliases()).as("a copy of the map").hasSize(2);
			assertThatThrownBy(() -> caches.aliases().clear()).isInstanceOf(UnsupportedOperationException.class);
		}
	}

	@Test
	void unknownAliasNamesItAndTheKnownAliases() {
		Map<String, CacheBackend> backends = new LinkedHashMap<>();
		backends.put("default", new DummyCacheBackend(CacheSettings.builder("default").build()));
		backends.put("sessions", new DummyCacheBackend(CacheSettings.builder("sessions").build()));
		try (DefaultCaches caches = new DefaultCaches(backends)) {
			assertThatIllegalArgumentException().isThrownBy(() -> caches.get("nonexistent"))
				.withMessageContaining("'nonexistent'")
				.withMessageContaining("default")
				.withMessageContaining("sessions");
		}
	}

	@Test
	void closeClosesEveryBackend() {
		LocMemCacheBackend first = new LocMemCacheBackend(CacheSettings.builder("default").location("dc-1").build());
		LocMemCacheBackend second = new LocMemCacheBackend(CacheSettings.builder("other").location("dc-1").build());
		first.set("key", "value");
		new DefaultCaches(Map.of("default", first, "other", second)).close();
		// Both users of the location are gone, so the store is released: a new backend starts empty.
		try (LocMemCacheBackend fresh = new LocMemCacheBackend(CacheSettings.builder("x").location("dc-1").build())) {
			assertThat(fresh.get("key")).isNull();
		}
	}

	@Test
	void closeContinuesAfterAFailureAndReportsIt() {
		IllegalStateException boom = new IllegalStateException("boom");
		LocMemCacheBackend survivor = new LocMemCacheBackend(CacheSettings.builder("b").location("dc-2").build());
		survivor.set("key", "value");
		Map<String, CacheBackend> backends = new LinkedHashMap<>();
		backends.put("a", new DummyCacheBackend(CacheSettings.builder("a").build()) {

			@Override
			protected void doClose() {
				throw boom;
			}

		});
		backends.put("b", survivor);
		assertThatIllegalStateException().isThrownBy(() -> new DefaultCaches(backends).close()).isSameAs(boom);
		try (LocMemCacheBackend fresh = new LocMemCacheBackend(CacheSettings.builder("x").location("dc-2").build())) {
			assertThat(fresh.get("key")).as("the second backend was closed too").isNull();
		}
	}

}
