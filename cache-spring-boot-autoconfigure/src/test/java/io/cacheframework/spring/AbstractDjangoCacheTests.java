package io.cacheframework.spring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheStatistics;
import io.cacheframework.core.Caches;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.support.NullValue;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Spring's {@link Cache} contract for {@link DjangoCache}, run by every backend against an alias and a namespace
 * (issue 13, items 7 and 11). It covers what spring-context's {@code AbstractCacheTests} checks (the fixture Spring
 * holds its own caches to: name, native cache, put with {@code null} and the {@link NullValue} sentinel,
 * {@code putIfAbsent}, evict, clear, {@code get(key, Callable)} with values, {@code null}s, failures and 10 racing
 * threads), written here in the same shape, and what it leaves out: {@code evictIfPresent}, {@code invalidate}, both
 * {@code retrieve}s, namespaces, keys of any type and length, the statistics, and {@code @Cacheable} itself.
 *
 * <p>Each subclass is a {@code @SpringBootTest} of {@link SpringCacheTestApplication} that configures the aliases
 * {@code default} (which holds the namespaces) and {@value #ALIAS} on its backend, each on a store of its own. Keys
 * are random, so tests do not depend on one another. Public so that each backend's package can run it.
 */
@DirtiesContext
public abstract class AbstractDjangoCacheTests {

	/**
	 * The alias every subclass configures (camelCase, as Spring users name caches).
	 */
	public static final String ALIAS = "testCache";

	/**
	 * A Spring cache name that is not an alias: a namespace inside {@code default}.
	 */
	public static final String NAMESPACE = "testNamespace";

	/**
	 * Whether a test runs against the alias or the namespace.
	 */
	public enum Kind {

		/** The cache named like the alias {@value AbstractDjangoCacheTests#ALIAS}. */
		ALIAS,

		/** The namespace {@value AbstractDjangoCacheTests#NAMESPACE} inside {@code default}. */
		NAMESPACE

	}

	/**
	 * A test run once for the alias and once for the namespace.
	 */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@ParameterizedTest(name = "{0}")
	@EnumSource(Kind.class)
	@interface ForEachKind {

	}

	@Autowired
	protected DjangoCacheManager cacheManager;

	@Autowired
	protected Caches caches;

	@Autowired
	protected SpringCacheTestApplication.Greetings greetings;

	protected DjangoCache cache(Kind kind) {
		return this.cacheManager.getCache((kind == Kind.ALIAS) ? ALIAS : NAMESPACE);
	}

	protected static String createRandomKey() {
		return UUID.randomUUID().toString();
	}

	// ---------------------------------------------------------------- AbstractCacheTests

	@ForEachKind
	void cacheName(Kind kind) {
		assertThat(cache(kind).getName()).isEqualTo((kind == Kind.ALIAS) ? ALIAS : NAMESPACE);
		assertThat(cache(kind).isNamespaced()).isEqualTo(kind == Kind.NAMESPACE);
		assertThat(this.cacheManager.getCacheNames()).contains(cache(kind).getName());
	}

	@ForEachKind
	void nativeCache(Kind kind) {
		CacheBackend expected = this.caches.get((kind == Kind.ALIAS) ? ALIAS : DjangoCacheManager.DEFAULT_ALIAS);
		assertThat(cache(kind).getNativeCache()).isSameAs(expected);
	}

	@ForEachKind
	void cachePut(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		Object value = "george";
		assertThat(cache.get(key)).isNull();
		assertThat(cache.get(key, String.class)).isNull();
		assertThat(cache.get(key, Object.class)).isNull();

		cache.put(key, value);
		assertThat(cache.get(key).get()).isEqualTo(value);
		assertThat(cache.get(key, String.class)).isEqualTo(value);
		assertThat(cache.get(key, Object.class)).isEqualTo(value);
		assertThat(cache.get(key, (Class<?>) null)).isEqualTo(value);

		cache.put(key, null);
		assertNullEntry(cache, key);

		cache.put(key, "again");
		cache.put(key, BeanUtils.instantiateClass(NullValue.class));
		assertNullEntry(cache, key);

		cache.put(key, "again");
		cache.put(key, NullValue.INSTANCE);
		assertNullEntry(cache, key);
	}

	/**
	 * A cached {@code null}: present, holding {@code null}, whatever way it was put.
	 */
	private static void assertNullEntry(DjangoCache cache, String key) {
		assertThat(cache.get(key)).isNotNull();
		assertThat(cache.get(key).get()).isNull();
		assertThat(cache.get(key, String.class)).isNull();
		assertThat(cache.get(key, Object.class)).isNull();
	}

	@ForEachKind
	void cachePutIfAbsent(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		Object value = "initialValue";
		assertThat(cache.get(key)).isNull();
		assertThat(cache.putIfAbsent(key, value)).isNull();
		assertThat(cache.get(key).get()).isEqualTo(value);
		assertThat(cache.putIfAbsent(key, "anotherValue").get()).isEqualTo("initialValue");
		// not changed
		assertThat(cache.get(key).get()).isEqualTo(value);
	}

	@ForEachKind
	void cachePutIfAbsentNullValues(Kind kind) {
		DjangoCache cache = cache(kind);
		String nullKey = createRandomKey();
		assertThat(cache.putIfAbsent(nullKey, null)).isNull();
		assertNullEntry(cache, nullKey);
		Cache.ValueWrapper existing = cache.putIfAbsent(nullKey, "anotherValue");
		assertThat(existing).isNotNull();
		assertThat(existing.get()).isNull();
		assertNullEntry(cache, nullKey);
		String sentinelKey = createRandomKey();
		assertThat(cache.putIfAbsent(sentinelKey, NullValue.INSTANCE)).isNull();
		assertNullEntry(cache, sentinelKey);
	}

	@ForEachKind
	void cacheRemove(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		assertThat(cache.get(key)).isNull();
		cache.put(key, "george");
		cache.evict(key);
		assertThat(cache.get(key)).isNull();
		cache.evict(key);
	}

	@ForEachKind
	void evictIfPresent(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		assertThat(cache.evictIfPresent(key)).isFalse();
		cache.put(key, "george");
		assertThat(cache.evictIfPresent(key)).isTrue();
		assertThat(cache.get(key)).isNull();
		assertThat(cache.evictIfPresent(key)).isFalse();
		cache.put(key, null);
		assertThat(cache.evictIfPresent(key)).as("a cached null is present").isTrue();
	}

	@ForEachKind
	void cacheClear(Kind kind) {
		DjangoCache cache = cache(kind);
		assertThat(cache.get("enescu")).isNull();
		cache.put("enescu", "george");
		assertThat(cache.get("vlaicu")).isNull();
		cache.put("vlaicu", "aurel");
		cache.clear();
		assertThat(cache.get("vlaicu")).isNull();
		assertThat(cache.get("enescu")).isNull();
		cache.put("enescu", "again");
		assertThat(cache.get("enescu").get()).as("usable after a clear").isEqualTo("again");
	}

	@ForEachKind
	void invalidate(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		cache.put(key, "george");
		assertThat(cache.invalidate()).isTrue();
		assertThat(cache.get(key)).isNull();
	}

	@ForEachKind
	void cacheGetCallable(Kind kind) {
		doTestCacheGetCallable(cache(kind), "test");
	}

	@ForEachKind
	void cacheGetCallableWithNull(Kind kind) {
		doTestCacheGetCallable(cache(kind), null);
	}

	private void doTestCacheGetCallable(DjangoCache cache, Object returnValue) {
		String key = createRandomKey();
		assertThat(cache.get(key)).isNull();
		Object value = cache.get(key, () -> returnValue);
		assertThat(value).isEqualTo(returnValue);
		assertThat(cache.get(key)).isNotNull();
		assertThat(cache.get(key).get()).isEqualTo(value);
	}

	@ForEachKind
	void cacheGetCallableNotInvokedWithHit(Kind kind) {
		doTestCacheGetCallableNotInvokedWithHit(cache(kind), "existing");
	}

	@ForEachKind
	void cacheGetCallableNotInvokedWithHitNull(Kind kind) {
		doTestCacheGetCallableNotInvokedWithHit(cache(kind), null);
	}

	private void doTestCacheGetCallableNotInvokedWithHit(DjangoCache cache, Object initialValue) {
		String key = createRandomKey();
		cache.put(key, initialValue);
		Object value = cache.get(key, () -> {
			throw new IllegalStateException("Should not have been invoked");
		});
		assertThat(value).isEqualTo(initialValue);
	}

	@ForEachKind
	void cacheGetCallableFail(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		assertThat(cache.get(key)).isNull();
		assertThatExceptionOfType(Cache.ValueRetrievalException.class).isThrownBy(() -> cache.get(key, () -> {
			throw new UnsupportedOperationException("Expected exception");
		})).withCauseExactlyInstanceOf(UnsupportedOperationException.class);
		assertThat(cache.get(key)).as("nothing stored").isNull();
	}

	/**
	 * {@code get(key, Callable)} from 10 threads at once runs the loader once, and every thread gets its value.
	 * Bounded: the threads must all be done within 30 s (they take about 50 ms).
	 */
	@ForEachKind
	void cacheGetSynchronized(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		AtomicInteger counter = new AtomicInteger();
		List<Object> results = new CopyOnWriteArrayList<>();
		CountDownLatch latch = new CountDownLatch(10);
		CyclicBarrier start = new CyclicBarrier(10);
		String key = createRandomKey();
		Runnable run = () -> {
			try {
				start.await(10, TimeUnit.SECONDS);
				Integer value = cache.get(key, () -> {
					Thread.sleep(50); // make sure the threads overlap
					return counter.incrementAndGet();
				});
				results.add(value);
			}
			catch (Exception ex) {
				results.add(ex);
			}
			finally {
				latch.countDown();
			}
		};
		for (int i = 0; i < 10; i++) {
			new Thread(run).start();
		}
		assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(results).hasSize(10).allMatch((r) -> Integer.valueOf(1).equals(r));
		assertThat(counter).hasValue(1);
	}

	// ---------------------------------------------------------------- retrieve

	@ForEachKind
	void retrieve(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		// A late-determined miss: the future completes with null (the store is asked without blocking).
		assertThat(cache.retrieve(key)).succeedsWithin(Duration.ofSeconds(10)).isNull();
		cache.put(key, "george");
		assertThat(wrapped(cache.retrieve(key))).isEqualTo("george");
		cache.put(key, null);
		CompletableFuture<?> stored = cache.retrieve(key);
		assertThat(stored).isNotNull();
		assertThat(stored.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(Cache.ValueWrapper.class,
				(wrapper) -> assertThat(wrapper.get()).isNull());
	}

	private static Object wrapped(CompletableFuture<?> future) throws Exception {
		assertThat(future).isNotNull();
		return ((Cache.ValueWrapper) future.get(10, TimeUnit.SECONDS)).get();
	}

	@ForEachKind
	void retrieveWithLoader(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.retrieve(key, () -> CompletableFuture.completedFuture("loaded " + loads.incrementAndGet()))
			.get(10, TimeUnit.SECONDS)).isEqualTo("loaded 1");
		assertThat(cache.retrieve(key, () -> CompletableFuture.completedFuture("loaded " + loads.incrementAndGet()))
			.get(10, TimeUnit.SECONDS)).as("a hit").isEqualTo("loaded 1");
		assertThat(cache.get(key).get()).isEqualTo("loaded 1");
		assertThat(loads).hasValue(1);

		String nullKey = createRandomKey();
		assertThat(cache.retrieve(nullKey, () -> CompletableFuture.completedFuture(null)).get(10, TimeUnit.SECONDS))
			.isNull();
		assertNullEntry(cache, nullKey);
	}

	@ForEachKind
	void retrieveWithFailingLoader(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		CompletableFuture<String> failed = cache.retrieve(key,
				() -> CompletableFuture.failedFuture(new UnsupportedOperationException("Expected exception")));
		assertThat(failed).failsWithin(Duration.ofSeconds(10))
			.withThrowableThat()
			.havingRootCause()
			.isInstanceOf(UnsupportedOperationException.class);
		assertThat(cache.get(key)).as("nothing stored").isNull();
	}

	/**
	 * {@code retrieve(key, loader)} from 10 threads at once loads once. Bounded: 30 s (it takes about 50 ms).
	 */
	@ForEachKind
	void retrieveWithLoaderSynchronized(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		AtomicInteger loads = new AtomicInteger();
		ExecutorService loader = Executors.newSingleThreadExecutor();
		try {
			List<CompletableFuture<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				futures.add(cache.retrieve(key, () -> CompletableFuture.supplyAsync(() -> {
					sleep(50);
					return loads.incrementAndGet();
				}, loader)));
			}
			for (CompletableFuture<Integer> future : futures) {
				assertThat(future.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			}
			assertThat(loads).hasValue(1);
		}
		finally {
			loader.shutdownNow();
		}
	}

	/**
	 * {@code retrieve(key, loader)} returns at once while the loader is still running (no thread waits for it), and
	 * callers that come meanwhile share the one load. Bounded: 10 s.
	 */
	@ForEachKind
	void retrieveWithSlowLoaderReturnsAtOnceAndLoadsOnce(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		AtomicInteger loads = new AtomicInteger();
		CompletableFuture<String> slowLoad = new CompletableFuture<>();
		List<CompletableFuture<String>> futures = new ArrayList<>();
		long start = System.nanoTime();
		for (int i = 0; i < 20; i++) {
			futures.add(cache.retrieve(key, () -> {
				loads.incrementAndGet();
				return slowLoad;
			}));
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("20 retrieves while the load runs")
			.isLessThan(Duration.ofSeconds(2));
		assertThat(futures).noneMatch(CompletableFuture::isDone);
		slowLoad.complete("slow value");
		for (CompletableFuture<String> future : futures) {
			assertThat(future).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("slow value");
		}
		assertThat(loads).hasValue(1);
		assertThat(cache.get(key).get()).isEqualTo("slow value");
	}

	/**
	 * Both {@code retrieve}s count as the blocking calls do, and a value the cache refuses, returned by an
	 * {@code @Cacheable(sync = true)} method's future, goes to the error handler (counted as an error) while the
	 * caller still gets it.
	 */
	@ForEachKind
	void retrieveIsCountedAndItsFailuresGoToTheErrorHandler(Kind kind) throws Exception {
		DjangoCache cache = cache(kind);
		CacheStatistics statistics = cache.statistics();
		long hits = statistics.hits();
		long misses = statistics.misses();
		long sets = statistics.sets();
		long errors = statistics.errors();
		String key = createRandomKey();
		assertThat(cache.retrieve(key)).succeedsWithin(Duration.ofSeconds(10)).isNull();
		assertThat(cache.retrieve(key, () -> CompletableFuture.completedFuture("counted")))
			.succeedsWithin(Duration.ofSeconds(10))
			.isEqualTo("counted");
		assertThat(wrapped(cache.retrieve(key))).isEqualTo("counted");
		assertThat(statistics.hits() - hits).as("hits").isEqualTo(1);
		assertThat(statistics.misses() - misses).as("misses").isEqualTo(2);
		assertThat(statistics.sets() - sets).as("sets").isEqualTo(1);
		assertThat(statistics.errors() - errors).as("errors").isZero();

		String unstorable = createRandomKey();
		assertThat(this.greetings.unstorableLater(cache.getName(), unstorable).get(10, TimeUnit.SECONDS)).isNotNull();
		assertThat(statistics.errors() - errors).as("errors after an unstorable value").isPositive();
		assertThat(cache.get(unstorable)).as("nothing stored").isNull();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// ---------------------------------------------------------------- keys, namespaces, statistics

	/**
	 * Keys of every type Spring's key generators produce, long ones included, each get an entry of their own on
	 * this backend (a long key is hashed, so memcached takes it too).
	 */
	@ForEachKind
	void keysOfAnyTypeAndLength(Kind kind) {
		DjangoCache cache = cache(kind);
		String prefix = createRandomKey();
		List<Object> keys = List.of(prefix + "-string", 42, 42L, new SimpleKey(prefix, 1),
				new SimpleKey(prefix + ", 1"), List.of(prefix, "x"), prefix + "x".repeat(300),
				prefix + " with spaces\tand\ncontrols", prefix + "-ünïcödé-€");
		for (int i = 0; i < keys.size(); i++) {
			cache.put(keys.get(i), "value " + i);
		}
		for (int i = 0; i < keys.size(); i++) {
			assertThat(cache.get(keys.get(i)).get()).as("key %s", keys.get(i)).isEqualTo("value " + i);
		}
		cache.evict(42);
		cache.evict(42L);
	}

	@ForEachKind
	void stringKeysAreTheLowLevelApisKeys(Kind kind) {
		DjangoCache cache = cache(kind);
		String key = createRandomKey();
		cache.put(key, "shared");
		String backendKey = cache.backendKey(key);
		assertThat(cache.getNativeCache().get(backendKey)).isEqualTo("shared");
		if (kind == Kind.ALIAS) {
			assertThat(backendKey).isEqualTo(key);
		}
		else {
			assertThat(backendKey).startsWith(NAMESPACE + ":").endsWith(":" + key);
			assertThat(cache.getNativeCache().get(key)).as("not the default alias's own key").isNull();
		}
	}

	@ForEachKind
	void clearingOneCacheKeepsTheOthers(Kind kind) {
		DjangoCache cleared = cache(kind);
		DjangoCache otherNamespace = this.cacheManager.getCache("otherNamespace");
		DjangoCache other = cache((kind == Kind.ALIAS) ? Kind.NAMESPACE : Kind.ALIAS);
		CacheBackend defaultBackend = this.caches.get(DjangoCacheManager.DEFAULT_ALIAS);
		String key = createRandomKey();
		cleared.put(key, "cleared");
		other.put(key, "kept");
		otherNamespace.put(key, "kept too");
		defaultBackend.set(key, "the default alias's own");
		cleared.clear();
		assertThat(cleared.get(key)).isNull();
		assertThat(other.get(key).get()).isEqualTo("kept");
		assertThat(otherNamespace.get(key).get()).isEqualTo("kept too");
		if (kind == Kind.NAMESPACE) {
			assertThat(defaultBackend.get(key)).isEqualTo("the default alias's own");
		}
	}

	/**
	 * One counting system: an alias's statistics are its backend's, a namespace counts what goes through it.
	 */
	@ForEachKind
	void statistics(Kind kind) {
		DjangoCache cache = cache(kind);
		CacheStatistics statistics = cache.statistics();
		assertThat(statistics).isSameAs(cache.statistics());
		if (kind == Kind.ALIAS) {
			assertThat(statistics).isSameAs(cache.getNativeCache().statistics());
		}
		else {
			assertThat(statistics).isNotSameAs(cache.getNativeCache().statistics());
		}
		long hits = statistics.hits();
		long misses = statistics.misses();
		long sets = statistics.sets();
		long deletes = statistics.deletes();
		long evictions = statistics.evictions();
		String key = createRandomKey();
		assertThat(cache.get(key)).isNull();
		cache.put(key, "v");
		assertThat(cache.get(key)).isNotNull();
		cache.get(createRandomKey(), () -> "loaded");
		assertThat(cache.evictIfPresent(key)).isTrue();
		assertThat(statistics.hits() - hits).isEqualTo(1);
		assertThat(statistics.misses() - misses).isEqualTo(2);
		assertThat(statistics.sets() - sets).isEqualTo(2);
		assertThat(statistics.deletes() - deletes).isEqualTo(1);
		if (kind == Kind.NAMESPACE) {
			assertThat(statistics.evictions() - evictions).as("@CacheEvict removals").isEqualTo(1);
			long lookups = statistics.hits() + statistics.misses();
			cache.getNativeCache().get(createRandomKey());
			assertThat(statistics.hits() + statistics.misses())
				.as("the default alias's own reads are not the namespace's")
				.isEqualTo(lookups);
		}
	}

	// ---------------------------------------------------------------- @Cacheable

	/**
	 * {@code @Cacheable(sync = true)} from 10 threads at once calls the method once, {@code null} results are
	 * cached, and methods returning a {@code CompletableFuture} (Spring's two {@code retrieve}s) are called once.
	 * Bounded: 30 s.
	 */
	@ForEachKind
	void cacheable(Kind kind) throws Exception {
		String cacheName = cache(kind).getName();
		String name = createRandomKey();
		ExecutorService pool = Executors.newFixedThreadPool(10);
		try {
			List<Future<String>> results = new ArrayList<>();
			CyclicBarrier start = new CyclicBarrier(10);
			for (int i = 0; i < 10; i++) {
				results.add(pool.submit(() -> {
					start.await(10, TimeUnit.SECONDS);
					return this.greetings.greet(cacheName, name);
				}));
			}
			for (Future<String> result : results) {
				assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("Hello " + name + " #1");
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.greetings.calls(name)).isEqualTo(1);
		assertThat(cache(kind).get(name).get()).isEqualTo("Hello " + name + " #1");

		String nobody = createRandomKey();
		assertThat(this.greetings.nobody(cacheName, nobody)).isNull();
		assertThat(this.greetings.nobody(cacheName, nobody)).isNull();
		assertThat(this.greetings.calls(nobody)).isEqualTo(1);

		String later = createRandomKey();
		for (int i = 0; i < 2; i++) {
			assertThat(this.greetings.later(cacheName, later).get(10, TimeUnit.SECONDS))
				.isEqualTo("Later " + later + " #1");
		}
		assertThat(this.greetings.calls(later)).isEqualTo(1);

		String unsynced = createRandomKey();
		for (int i = 0; i < 2; i++) {
			assertThat(this.greetings.laterUnsynchronized(cacheName, unsynced).get(10, TimeUnit.SECONDS))
				.isEqualTo("Later " + unsynced + " #1");
		}
		assertThat(this.greetings.calls(unsynced)).isEqualTo(1);
	}

	/**
	 * {@code @Cacheable} on methods returning {@code Mono} and {@code Flux} (Reactor is on the class path), with and
	 * without {@code sync}: the method's publisher is subscribed once, later calls are served from the cache.
	 */
	@ForEachKind
	void cacheableReactive(Kind kind) {
		String cacheName = cache(kind).getName();
		for (boolean sync : new boolean[] { true, false }) {
			String mono = createRandomKey();
			for (int i = 0; i < 2; i++) {
				Mono<String> result = sync ? this.greetings.mono(cacheName, mono)
						: this.greetings.monoUnsynchronized(cacheName, mono);
				assertThat(result.block(Duration.ofSeconds(10))).isEqualTo("Mono " + mono + " #1");
			}
			assertThat(this.greetings.calls(mono)).as("sync=%s", sync).isEqualTo(1);

			String flux = createRandomKey();
			for (int i = 0; i < 2; i++) {
				Flux<String> result = sync ? this.greetings.flux(cacheName, flux)
						: this.greetings.fluxUnsynchronized(cacheName, flux);
				assertThat(result.collectList().block(Duration.ofSeconds(10))).containsExactly("Flux " + flux + " #1",
						"and more #1");
			}
			assertThat(this.greetings.calls(flux)).as("sync=%s", sync).isEqualTo(1);
		}
	}

}
