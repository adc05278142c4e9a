package io.cacheframework.actuate;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.spring.CacheFailureHandler;
import io.cacheframework.spring.DjangoCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One counting system (issue 13, item 5): the meters of an alias and of a namespace both come from
 * {@link DjangoCache#statistics()}, the same six meters for both; an alias counts every call to its backend, a
 * namespace what goes through it. Namespaces used to have no {@code cache.removals} and no {@code cache.errors}.
 */
class DjangoCacheMeterBinderTests {

	private final LocMemCacheBackend backend = new LocMemCacheBackend(
			CacheSettings.builder("default").location("meter-binder-tests").maxEntries(3).cullFrequency(3).build());

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@AfterEach
	void close() {
		this.backend.clear();
		this.backend.close();
	}

	@Test
	void namespaceMetersCountWhatGoesThroughIt() {
		DjangoCache namespace = new DjangoCache("greetings", this.backend, true);
		new DjangoCacheMeterBinder(namespace, Tags.empty()).bindTo(this.registry);
		assertThat(namespace.get("ann")).isNull();
		namespace.put("ann", "hello");
		assertThat(namespace.get("ann").get()).isEqualTo("hello");
		assertThat(namespace.evictIfPresent("ann")).isTrue();
		assertThat(namespace.evictIfPresent("ann")).isFalse();
		this.backend.set("low-level", "not the namespace's");
		new CacheFailureHandler().handleCacheGetError(new IllegalStateException("down"), namespace, "ann");
		assertThat(count("cache.gets", "result", "hit", "greetings")).isEqualTo(1);
		assertThat(count("cache.gets", "result", "miss", "greetings")).isEqualTo(1);
		assertThat(count("cache.puts", null, null, "greetings")).isEqualTo(1);
		assertThat(count("cache.evictions", null, null, "greetings")).isEqualTo(1);
		assertThat(count("cache.removals", null, null, "greetings")).isEqualTo(1);
		assertThat(count("cache.errors", null, null, "greetings")).isEqualTo(1);
		assertThat(this.backend.statistics().errors()).as("also the backend's").isEqualTo(1);
		assertThat(this.registry.find("cache.size").tag("cache", "greetings").gauge()).isNull();
	}

	@Test
	void aliasMetersAreItsBackendsStatistics() {
		DjangoCache alias = new DjangoCache("default", this.backend);
		new DjangoCacheMeterBinder(alias, Tags.empty()).bindTo(this.registry);
		alias.put("a", 1);
		this.backend.set("b", 2);
		this.backend.get("a");
		this.backend.get("missing");
		this.backend.delete("b");
		for (int i = 0; i < 4; i++) {
			this.backend.set("cull-" + i, i);
		}
		assertThat(count("cache.gets", "result", "hit", "default")).isEqualTo(this.backend.statistics().hits())
			.isEqualTo(1);
		assertThat(count("cache.gets", "result", "miss", "default")).isEqualTo(1);
		assertThat(count("cache.puts", null, null, "default")).isEqualTo(6);
		assertThat(count("cache.removals", null, null, "default")).isEqualTo(1);
		assertThat(count("cache.evictions", null, null, "default")).as("culled")
			.isEqualTo(this.backend.statistics().evictions())
			.isPositive();
		assertThat(this.registry.find("cache.size").tag("cache", "default").gauge().value()).isPositive();
	}

	private double count(String name, String tag, String value, String cache) {
		var search = this.registry.find(name).tag("cache", cache);
		if (tag != null) {
			search = search.tag(tag, value);
		}
		var counter = search.functionCounter();
		return (counter != null) ? counter.count() : search.counter().count();
	}

}
