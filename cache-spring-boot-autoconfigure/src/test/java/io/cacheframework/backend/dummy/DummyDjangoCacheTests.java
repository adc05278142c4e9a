package io.cacheframework.backend.dummy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.spring.AbstractDjangoCacheTests;
import io.cacheframework.spring.AbstractDjangoCacheTests.Kind;
import io.cacheframework.spring.DjangoCache;
import io.cacheframework.spring.DjangoCacheManager;
import io.cacheframework.spring.SpringCacheTestApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.cache.Cache;
import org.springframework.cache.support.NullValue;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Spring's cache contract where it means something on the dummy backend, which stores nothing (Django's
 * {@code DummyCache}): an alias and a namespace on it accept every call, find nothing, and run every loader, so an
 * application whose caches are switched off this way keeps working. Its own class, as in Django's tests: it does not
 * behave like a cache.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "app.caches.default.backend=dummy", "app.caches.testCache.backend=dummy" })
@DirtiesContext
class DummyDjangoCacheTests {

	@Autowired
	DjangoCacheManager cacheManager;

	@Autowired
	SpringCacheTestApplication.Greetings greetings;

	private DjangoCache cache(Kind kind) {
		return this.cacheManager
			.getCache((kind == Kind.ALIAS) ? AbstractDjangoCacheTests.ALIAS : AbstractDjangoCacheTests.NAMESPACE);
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void storesNothingAndFindsNothing(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		assertThat(cache.isNamespaced()).isEqualTo(kind == Kind.NAMESPACE);
		cache.put("k", "v");
		cache.put("n", null);
		cache.put("s", NullValue.INSTANCE);
		assertThat(cache.get("k")).isNull();
		assertThat(cache.get("n")).isNull();
		assertThat(cache.get("k", String.class)).isNull();
		assertThat(cache.putIfAbsent("k", "v")).as("Django's dummy add() succeeds").isNull();
		assertThat(cache.get("k")).isNull();
		assertThat(cache.evictIfPresent("k")).isFalse();
		cache.evict("k");
		cache.clear();
		assertThat(cache.invalidate()).isTrue();
		// A miss is a future completed with null: Spring's late-determined miss (the lookup is asynchronous).
		assertThat(cache.retrieve("k")).succeedsWithin(java.time.Duration.ofSeconds(10)).isNull();
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void everyLoaderRuns(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("k", loads::incrementAndGet)).isEqualTo(1);
		assertThat(cache.get("k", loads::incrementAndGet)).isEqualTo(2);
		assertThat((Object) cache.get("k", () -> null)).isNull();
		assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture(loads.incrementAndGet()))
			.get(10, TimeUnit.SECONDS)).isEqualTo(3);
		assertThatExceptionOfType(Cache.ValueRetrievalException.class).isThrownBy(() -> cache.get("k", () -> {
			throw new UnsupportedOperationException("Expected exception");
		})).withCauseExactlyInstanceOf(UnsupportedOperationException.class);
		assertThat(cache.retrieve("k",
				() -> CompletableFuture.failedFuture(new UnsupportedOperationException("Expected exception"))))
			.failsWithin(Duration.ofSeconds(10));
	}

	/**
	 * Ten racing {@code get(key, Callable)} calls all get a loaded value: those that overlap share one load, as on
	 * every backend. Bounded: 30 s.
	 */
	@ParameterizedTest
	@EnumSource(Kind.class)
	void racingLoadsAllGetAValue(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		AtomicInteger loads = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(10);
		try {
			CyclicBarrier start = new CyclicBarrier(10);
			List<Future<Integer>> results = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				results.add(pool.submit(() -> {
					start.await(10, TimeUnit.SECONDS);
					return cache.get("raced", () -> {
						Thread.sleep(50);
						return loads.incrementAndGet();
					});
				}));
			}
			for (Future<Integer> result : results) {
				assertThat(result.get(30, TimeUnit.SECONDS)).isBetween(1, 10);
			}
			assertThat(loads.get()).isBetween(1, 10);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void cacheableMethodsRunEveryTime(Kind kind) {
		String cacheName = cache(kind).getName();
		String name = "dummy-" + kind;
		int before = this.greetings.calls(name);
		this.greetings.greet(cacheName, name);
		this.greetings.greet(cacheName, name);
		assertThat(this.greetings.calls(name) - before).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void countsMissesAndSets(Kind kind) {
		DjangoCache cache = cache(kind);
		long misses = cache.statistics().misses();
		long hits = cache.statistics().hits();
		cache.get("counted");
		cache.put("counted", "v");
		assertThat(cache.statistics().misses() - misses).isEqualTo(1);
		assertThat(cache.statistics().hits() - hits).isZero();
	}

}
