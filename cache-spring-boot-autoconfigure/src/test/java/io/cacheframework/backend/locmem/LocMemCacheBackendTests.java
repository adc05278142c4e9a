package io.cacheframework.backend.locmem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * The contract for {@link LocMemCacheBackend}, plus Django's locmem-specific tests ({@code LocMemCacheTests}):
 * LRU order, exact cull survivors, shared locations and thread safety.
 */
class LocMemCacheBackendTests extends AbstractCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new LocMemCacheBackend(settings);
	}

	private LocMemCacheBackend lruCache() {
		return (LocMemCacheBackend) newCache(baseSettings("lru").maxEntries(9));
	}

	private static List<Integer> survivors(CacheBackend cache, int upTo) {
		return IntStream.range(0, upTo).filter((i) -> cache.hasKey(String.valueOf(i))).boxed().toList();
	}

	// ---------------------------------------------------------------- LRU (CONFORMANCE item 33)

	@Test
	void lruGetMovesToMostRecentlyUsed() {
		CacheBackend lru = lruCache();
		for (int i = 0; i < 9; i++) {
			lru.set(String.valueOf(i), i);
		}
		for (int i = 0; i < 6; i++) {
			assertThat(lru.get(String.valueOf(i))).isEqualTo(i);
		}
		lru.set("9", 9);
		assertThat(survivors(lru, 10)).containsExactly(0, 1, 2, 3, 4, 5, 9);
	}

	@Test
	void lruSetMovesToMostRecentlyUsed() {
		CacheBackend lru = lruCache();
		for (int i = 0; i < 9; i++) {
			lru.set(String.valueOf(i), i);
		}
		for (int i = 3; i < 9; i++) {
			lru.set(String.valueOf(i), i);
		}
		lru.set("9", 9);
		assertThat(survivors(lru, 10)).containsExactly(3, 4, 5, 6, 7, 8, 9);
	}

	@Test
	void lruOverwriteCullsWhenFull() {
		CacheBackend lru = lruCache();
		for (int i = 0; i < 9; i++) {
			lru.set(String.valueOf(i), i);
		}
		lru.set("3", 3);
		assertThat(survivors(lru, 10)).containsExactly(3, 4, 5, 6, 7, 8);
	}

	@Test
	void lruIncrMovesToMostRecentlyUsed() {
		CacheBackend lru = lruCache();
		for (int i = 0; i < 9; i++) {
			lru.set(String.valueOf(i), i, Timeout.NEVER);
		}
		for (int i = 0; i < 6; i++) {
			assertThat(lru.incr(String.valueOf(i))).isEqualTo(i + 1);
		}
		lru.set("9", 9, Timeout.NEVER);
		assertThat(survivors(lru, 10)).containsExactly(0, 1, 2, 3, 4, 5, 9);
		for (int i = 0; i < 6; i++) {
			assertThat(lru.get(String.valueOf(i))).isEqualTo(i + 1);
		}
	}

	@Test
	void lruAddMovesToMostRecentlyUsedOnlyWhenStored() {
		CacheBackend lru = newCache(baseSettings("lru3").maxEntries(3));
		lru.set("0", 0);
		lru.set("1", 1);
		assertThat(lru.add("0", "ignored")).isFalse();
		assertThat(lru.add("2", 2)).isTrue();
		// Full: the failed add did not refresh "0", so it is the least recently used.
		lru.set("3", 3);
		assertThat(survivors(lru, 4)).containsExactly(1, 2, 3);
	}

	@Test
	void incrKeepsExpiryAndMovesToMostRecentlyUsed() {
		CacheBackend lru = newCache(baseSettings("lru3").maxEntries(3));
		lru.set("0", 0, Timeout.seconds(10));
		lru.set("1", 1);
		lru.set("2", 2);
		assertThat(lru.incr("0")).isEqualTo(1);
		lru.set("3", 3);
		assertThat(survivors(lru, 4)).containsExactly(0, 2, 3);
		advanceTime(Duration.ofSeconds(9));
		assertThat(lru.get("0")).isEqualTo(1);
		advanceTime(Duration.ofSeconds(1));
		assertThat(lru.hasKey("0")).isFalse();
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> lru.incr("0"))
			.withMessage("Key ':1:0' not found");
	}

	@Test
	void touchAndHasKeyDoNotChangeLruOrder() {
		CacheBackend lru = newCache(baseSettings("lru3").maxEntries(3));
		lru.set("0", 0);
		lru.set("1", 1);
		lru.set("2", 2);
		assertThat(lru.touch("0", Timeout.seconds(100))).isTrue();
		assertThat(lru.hasKey("0")).isTrue();
		lru.set("3", 3);
		assertThat(survivors(lru, 4)).containsExactly(1, 2, 3);
	}

	// ---------------------------------------------------------------- culling (CONFORMANCE items 31-32, 36)

	@Test
	void cullSurvivorsAreTheMostRecent() {
		assertThat(performCull(cullCache())).isEqualTo(IntStream.rangeClosed(21, 49).boxed().toList());
	}

	@Test
	void zeroCullSurvivorsAreTheMostRecent() {
		assertThat(performCull(zeroCullCache())).isEqualTo(IntStream.rangeClosed(31, 49).boxed().toList());
	}

	@Test
	void negativeMaxEntriesStillStores() {
		LocMemCacheBackend cullAlways = (LocMemCacheBackend) newCache(baseSettings("cull").maxEntries(-1));
		cullAlways.set("a", 1);
		cullAlways.set("b", 2);
		assertThat(cullAlways.hasKey("b")).isTrue();
		assertThat(cullAlways.size()).isPositive();
	}

	@Test
	void expiredEntriesAreNotPreferredWhenCulling() {
		// Django culls by LRU order only: an expired entry that was used recently survives a cull.
		CacheBackend lru = newCache(baseSettings("lru3").maxEntries(3));
		lru.set("0", 0);
		lru.set("1", 1);
		lru.set("2", 2, Timeout.seconds(1));
		lru.set("3", 3);
		assertThat(((LocMemCacheBackend) lru).size()).isEqualTo(3);
		advanceTime(Duration.ofSeconds(2));
		assertThat(survivors(lru, 4)).containsExactly(1, 3);
	}

	// ---------------------------------------------------------------- locations (CONFORMANCE item 37)

	@Test
	void sameLocationIsShared() {
		String shared = newLocation();
		CacheBackend first = newCache(baseSettings("first").location(shared));
		CacheBackend second = newCache(baseSettings("second").location(shared));
		first.set("key", "value");
		assertThat(second.get("key")).isEqualTo("value");
		second.clear();
		assertThat(first.hasKey("key")).isFalse();
	}

	@Test
	void differentLocationsAreIsolated() {
		CacheBackend first = newCache(baseSettings("first").location(newLocation()));
		CacheBackend second = newCache(baseSettings("second").location(newLocation()));
		first.set("key", "first");
		assertThat(second.get("key")).isNull();
		second.set("key", "second");
		assertThat(first.get("key")).isEqualTo("first");
		first.clear();
		assertThat(second.get("key")).isEqualTo("second");
	}

	@Test
	void storeOutlivesOneOfItsBackends() {
		String shared = newLocation();
		CacheBackend first = createBackend(baseSettings("first").location(shared).build());
		CacheBackend second = newCache(baseSettings("second").location(shared));
		first.set("key", "value");
		first.close();
		assertThat(second.get("key")).isEqualTo("value");
	}

	@Test
	void aMadeKeyIsOneEntryWhicheverKeyFunctionMadeIt() {
		// Django keys its dictionary by the made string: prefix "p:2" with version 1 and prefix "p" with version 2
		// both make "p:2:1:x" (from "x" and "1:x"), and so does a custom key function.
		String shared = newLocation();
		CacheBackend prefixed = newCache(baseSettings("prefixed").location(shared).keyPrefix("p:2"));
		CacheBackend versioned = newCache(baseSettings("versioned").location(shared).keyPrefix("p").version(2));
		CacheBackend custom = newCache(baseSettings("custom").location(shared)
			.keyFunction((key, prefix, version) -> "p:2:1:" + key.substring(2)));
		prefixed.set("x", "first");
		assertThat(versioned.get("1:x")).isEqualTo("first");
		assertThat(custom.get("--x")).isEqualTo("first");
		versioned.set("1:x", "second");
		assertThat(prefixed.get("x")).isEqualTo("second");
		assertThat(custom.getMany(List.of("--x"))).containsEntry("--x", "second");
		custom.set("--x", "third");
		assertThat(prefixed.get("x")).isEqualTo("third");
		assertThat(((LocMemCacheBackend) prefixed).size()).isEqualTo(1);
		assertThat(prefixed.withVersion(2).get("1:x")).isNull();
		assertThat(custom.delete("--x")).isTrue();
		assertThat(prefixed.get("x")).isNull();
		assertThat(versioned.get("1:x")).isNull();
	}

	@Test
	void keysWithTheSameHashCodeAreDifferentEntries() {
		// "Aa" and "BB" hash alike, as do the made keys ":1:Aa" and ":1:BB".
		this.cache.set("Aa", "a");
		this.cache.set("BB", "b");
		assertThat(this.cache.get("Aa")).isEqualTo("a");
		assertThat(this.cache.get("BB")).isEqualTo("b");
		this.cache.delete("Aa");
		assertThat(this.cache.get("Aa")).isNull();
		assertThat(this.cache.get("BB")).isEqualTo("b");
	}

	@Test
	void anInvalidKeyWarnsOnEveryHit() {
		this.cache.set("has space", "value");
		for (int i = 0; i < 3; i++) {
			try (LogCapture warnings = LogCapture.keyWarnings()) {
				assertThat(this.cache.get("has space")).isEqualTo("value");
				assertThat(warnings.warnings()).containsExactly(
						"Cache key contains characters that will cause errors if used with memcached: ':1:has space'");
			}
		}
		try (LogCapture warnings = LogCapture.keyWarnings()) {
			assertThat(this.cache.get("has_no_space")).isNull();
			this.cache.set("has_no_space", "value");
			assertThat(this.cache.get("has_no_space")).isEqualTo("value");
			assertThat(warnings.warnings()).isEmpty();
		}
	}

	@Test
	void aBadKeyIsCheckedOnItsFirstReadOfAStoreWhereNoKeyFailedYet() {
		// Until a key fails at a store, a read validates its key only when the lookup misses: check that the miss
		// warns and refuses exactly as a read that validates first.
		String tooLong = "a".repeat(248);
		try (LogCapture warnings = LogCapture.keyWarnings()) {
			assertThat(newCache(baseSettings("fresh-1").location(newLocation())).get("has space")).isNull();
			assertThat(newCache(baseSettings("fresh-2").location(newLocation())).getOrDefault(tooLong, "default"))
				.isEqualTo("default");
			assertThat(warnings.warnings()).containsExactly(
					"Cache key contains characters that will cause errors if used with memcached: ':1:has space'",
					"Cache key will cause errors if used with memcached: ':1:" + tooLong + "' (longer than 250)");
		}
		CacheBackend fresh = newCache(baseSettings("fresh-3").location(newLocation()));
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> fresh.get("invoice\uD800"))
			.withMessageContaining("lone surrogate");
		assertThat(fresh.statistics().misses()).isZero();
		fresh.set("invoice", "kept");
		try (LogCapture warnings = LogCapture.keyWarnings()) {
			assertThat(fresh.get("invoice")).isEqualTo("kept");
			assertThat(warnings.warnings()).isEmpty();
		}
	}

	@Test
	void aBadKeyWrittenThroughAnotherBackendOfTheStoreWarnsOnEveryHit() {
		String shared = newLocation();
		CacheBackend reader = newCache(baseSettings("reader").location(shared));
		reader.set("good", "value");
		assertThat(reader.get("good")).isEqualTo("value");
		CacheBackend writer = newCache(baseSettings("writer").location(shared));
		try (LogCapture warnings = LogCapture.keyWarnings()) {
			writer.set("has space", "value");
			for (int i = 0; i < 2; i++) {
				assertThat(reader.get("has space")).isEqualTo("value");
			}
			assertThat(reader.get("good")).isEqualTo("value");
			assertThat(warnings.warnings()).hasSize(3)
				.allMatch((line) -> line.endsWith("memcached: ':1:has space'"));
		}
	}

	@Test
	void valueOverTheSerializationLimitsFailsItsSet() {
		List<Integer> large = new ArrayList<>();
		for (int i = 0; i < 100_001; i++) {
			large.add(1_000 + i);
		}
		this.cache.set("large", "old");
		assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> this.cache.set("large", large));
		assertThat(this.cache.get("large")).isEqualTo("old");
	}

	// ---------------------------------------------------------------- statistics

	@Test
	void statisticsCountWhatHappened() {
		LocMemCacheBackend stats = (LocMemCacheBackend) newCache(
				baseSettings("stats").location(newLocation()).maxEntries(3));
		stats.set("a", 1);
		stats.set("b", 2);
		assertThat(stats.add("b", 3)).isFalse();
		stats.get("a");
		stats.get("missing");
		// getMany reads key by key on locmem: a repeated key is read and counted once, as one made key.
		assertThat(stats.getMany(List.of("a", "b", "c", "a", "c"))).containsExactly(entry("a", 1), entry("b", 2));
		assertThat(stats.delete("a")).isTrue();
		assertThat(stats.delete("a")).isFalse();
		stats.set("c", 3);
		stats.set("d", 4);
		// Full (b, c, d): this set culls one entry first.
		stats.set("e", 5);
		assertThat(stats.statistics().hits()).isEqualTo(3);
		assertThat(stats.statistics().misses()).isEqualTo(2);
		assertThat(stats.statistics().sets()).isEqualTo(5);
		assertThat(stats.statistics().deletes()).isEqualTo(1);
		assertThat(stats.statistics().evictions()).isEqualTo(1);
		assertThat(stats.statistics().errors()).isZero();
	}

	// ---------------------------------------------------------------- thread safety

	@Test
	void concurrentIncrementsAreExact() throws Exception {
		int threads = 8;
		int increments = 10_000;
		this.cache.set("counter", 0);
		runConcurrently(threads, () -> {
			for (int i = 0; i < increments; i++) {
				this.cache.incr("counter");
			}
		});
		assertThat(this.cache.get("counter")).isEqualTo(threads * increments);
	}

	@Test
	void concurrentWritesUnderCullingStayWithinMaxEntries() throws Exception {
		LocMemCacheBackend small = (LocMemCacheBackend) newCache(baseSettings("small").maxEntries(50));
		runConcurrently(8, () -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			for (int i = 0; i < 5_000; i++) {
				String key = "k" + random.nextInt(500);
				switch (random.nextInt(4)) {
					case 0 -> small.set(key, new ArrayList<>(List.of(i)));
					case 1 -> small.add(key, i);
					case 2 -> small.get(key);
					default -> small.set(key, i, Timeout.seconds(random.nextInt(1, 5)));
				}
			}
		});
		assertThat(small.size()).isBetween(1, 50);
	}

	@Test
	void cullingWhileReadersRefreshLruOrder() throws Exception {
		// Readers move entries to MRU while a writer's cull sorts them by recency: the sort must not see an
		// inconsistent order ("Comparison method violates its general contract!").
		LocMemCacheBackend big = (LocMemCacheBackend) newCache(baseSettings("big").maxEntries(2_000));
		AtomicBoolean done = new AtomicBoolean();
		AtomicInteger writer = new AtomicInteger();
		runConcurrently(6, () -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			if (writer.getAndIncrement() < 2) {
				for (int i = 0; i < 30_000; i++) {
					big.set("k" + random.nextInt(100_000), i);
				}
				done.set(true);
			}
			else {
				while (!done.get()) {
					big.get("k" + random.nextInt(100_000));
				}
			}
		});
		assertThat(big.size()).isBetween(1, 2_000);
	}

	@Test
	void deletedCounterIsNotResurrectedByAConcurrentIncr() throws Exception {
		// incr only updates an existing key, so once the only delete has happened nothing may bring the key back.
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			for (int round = 0; round < 300; round++) {
				String key = "counter" + round;
				this.cache.set(key, 0);
				CountDownLatch incrementing = new CountDownLatch(1);
				Future<?> incrementer = executor.submit(() -> {
					try {
						while (!Thread.currentThread().isInterrupted()) {
							this.cache.incr(key);
							incrementing.countDown();
						}
					}
					catch (NoSuchElementException ex) {
						// Deleted: done.
					}
				});
				assertThat(incrementing.await(10, TimeUnit.SECONDS)).isTrue();
				assertThat(this.cache.delete(key)).isTrue();
				assertThat(incrementer).as("round %d: incr kept finding the deleted key", round)
					.succeedsWithin(Duration.ofSeconds(10));
				assertThat(this.cache.hasKey(key)).as("round %d", round).isFalse();
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static void runConcurrently(int threads, Runnable work) throws Exception {
		CyclicBarrier start = new CyclicBarrier(threads);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				futures.add(executor.submit(() -> {
					start.await(10, TimeUnit.SECONDS);
					work.run();
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

}
