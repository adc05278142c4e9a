package io.cacheframework.backend.database;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 16 threads racing on one key (RELIABILITY B1/B2): no duplicate-key error ever escapes or is even counted, every
 * round of {@code add} has exactly one winner, and {@code incr} loses no update. On H2, PostgreSQL and MariaDB.
 */
class DatabaseCacheConcurrencyTests {

	private static final int THREADS = 16;

	private static final int ROUNDS = 500;

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void racingSetsAddsAndIncrs(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("dbrace");
		DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("race").location(table).maxEntries(1000).build(), database.dataSource());
		cache.createTable();
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		try {
			CyclicBarrier barrier = new CyclicBarrier(THREADS + 1);
			AtomicInteger winners = new AtomicInteger();
			List<Integer> roundsWithoutOneWinner = new ArrayList<>();
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				int thread = t;
				workers.add(pool.submit(() -> {
					for (int round = 0; round < ROUNDS; round++) {
						barrier.await();
						cache.set("set-key", "writer-" + thread + "-" + round);
						if (cache.add("add-key", "adder-" + thread, Timeout.seconds(3600))) {
							winners.incrementAndGet();
						}
						barrier.await();
					}
					return null;
				}));
			}
			for (int round = 0; round < ROUNDS; round++) {
				barrier.await(30, TimeUnit.SECONDS);
				barrier.await(30, TimeUnit.SECONDS);
				if (winners.getAndSet(0) != 1) {
					roundsWithoutOneWinner.add(round);
				}
				cache.delete("add-key");
			}
			for (Future<?> worker : workers) {
				worker.get(30, TimeUnit.SECONDS);
			}
			assertThat(roundsWithoutOneWinner).isEmpty();
			assertThat((String) cache.get("set-key")).matches("writer-\\d+-" + (ROUNDS - 1));
			// Concurrent increments: none lost.
			cache.set("counter", 0);
			List<Future<?>> incrementers = new ArrayList<>();
			IntStream.range(0, THREADS).forEach((t) -> incrementers.add(pool.submit(() -> {
				for (int i = 0; i < 25; i++) {
					cache.incr("counter");
				}
				return null;
			})));
			for (Future<?> incrementer : incrementers) {
				incrementer.get(60, TimeUnit.SECONDS);
			}
			assertThat(cache.get("counter")).isEqualTo(THREADS * 25);
			assertThat(cache.statistics().errors()).isZero();
		}
		finally {
			pool.shutdownNow();
			database.dropTable(table);
		}
	}

}
