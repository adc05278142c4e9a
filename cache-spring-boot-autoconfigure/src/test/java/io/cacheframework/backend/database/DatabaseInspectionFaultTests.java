package io.cacheframework.backend.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.cacheframework.actuate.DjangoCacheMeterBinder;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.spring.DjangoCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What operators look at (the {@code cache.size} meter, the endpoint's entries and bytes, health) costs the database
 * next to nothing and never waits on it: the table is counted at most once per {@code size-refresh-interval}, and
 * while the database is not answering those views answer at once, without a connection attempt. Before the fix each
 * scrape ran {@code COUNT(*)} (and a second full scan for the bytes), and each health check tried to connect.
 */
class DatabaseInspectionFaultTests {

	/** The statement that counts entries and bytes (culling counts with its own). */
	private static final String SIZE_COUNT = "SELECT COUNT(CASE";

	/** Answering from memory takes microseconds; the rest is a loaded machine's scheduling. */
	private static final Duration AT_ONCE = Duration.ofMillis(200);

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void scrapesCountTheTableAtMostOncePerRefreshInterval(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("scrapes");
		CountingDataSource counting = new CountingDataSource(database.dataSource());
		try (DatabaseCacheBackend cache = backend(table, counting, Duration.ofSeconds(30));
				DatabaseCacheBackend refreshing = backend(table, counting, Duration.ofMillis(300))) {
			cache.createTable();
			cache.set("a", 1);
			cache.set("b", "two");
			counting.statements.clear();
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new DjangoCacheMeterBinder(new DjangoCache("default", cache), Tags.empty()).bindTo(registry);
			Gauge size = registry.find("cache.size").tag("cache", "default").gauge();
			for (int scrape = 0; scrape < 50; scrape++) {
				assertThat(size.value()).isEqualTo(2);
				// What the endpoint shows for the alias.
				assertThat(cache.inspection().entryCount()).isEqualTo(2);
				assertThat(cache.inspection().byteCount()).isPositive();
				cache.inspection().inspectionDetails();
			}
			assertThat(counting.count(SIZE_COUNT)).isEqualTo(1);
			assertThat(counting.statements).hasSize(1);

			// With a short interval the count follows the table, still not once per read.
			assertThat(refreshing.inspection().entryCount()).isEqualTo(2);
			refreshing.set("c", 3);
			assertThat(refreshing.inspection().entryCount()).isEqualTo(2);
			Thread.sleep(350);
			assertThat(refreshing.inspection().entryCount()).isEqualTo(3);
			assertThat(counting.count(SIZE_COUNT)).isEqualTo(3);
		}
		finally {
			database.dropTable(table);
		}
	}

	@Test
	void whileTheDatabaseIsDownOperatorsGetAnAnswerAtOnceWithoutAConnectionAttempt() throws Exception {
		PGSimpleDataSource down = new PGSimpleDataSource();
		down.setURL("jdbc:postgresql://127.0.0.1:1/nothing");
		CountingDataSource counting = new CountingDataSource(down);
		DatabaseOptions options = new DatabaseOptions().poolSize(0)
			.timeoutThreshold(3)
			.reconnectDelay(Duration.ofSeconds(1));
		try (DatabaseCacheBackend cache = new DatabaseCacheBackend(CacheSettings.builder("down").location("t").build(),
				counting, counting, new ValueCodec(new DefaultValueSerializer()), options)) {
			// Three callers on three threads (a thread whose statement just failed does not try again at once).
			for (int i = 0; i < 3; i++) {
				Thread caller = new Thread(() -> assertThat(cache.get("k")).isNull());
				caller.start();
				caller.join();
			}
			assertThat(counting.connections.get()).isEqualTo(3);
			assertThat(DatabaseStallFaultTests.connections(cache)).containsEntry("circuit", "open");
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new DjangoCacheMeterBinder(new DjangoCache("down", cache), Tags.empty()).bindTo(registry);
			Gauge size = registry.find("cache.size").gauge();
			for (int round = 0; round < 20; round++) {
				assertThat(timed(cache.inspection()::checkHealth)).singleElement()
					.satisfies((health) -> assertThat(health.up()).isFalse())
					.satisfies((health) -> assertThat(health.details().get("error").toString())
						.contains("not answering"));
				assertThat(timed(size::value)).isZero();
				assertThatExceptionOfType(CacheAccessException.class)
					.isThrownBy(() -> timed(cache.inspection()::entryCount));
				assertThatExceptionOfType(CacheAccessException.class)
					.isThrownBy(() -> timed(() -> cache.inspection().inspectKeys(10)));
				assertThat(timed(() -> cache.get("k"))).isNull();
			}
			assertThat(counting.connections.get()).isEqualTo(3);

			// Once the reconnect delay is over, one caller tries (and fails again); the others still do not wait.
			Thread.sleep(1100);
			ExecutorService pool = Executors.newFixedThreadPool(8);
			try {
				List<Future<List<ComponentHealth>>> checks = new ArrayList<>();
				for (int i = 0; i < 8; i++) {
					checks.add(pool.submit(cache.inspection()::checkHealth));
				}
				for (Future<List<ComponentHealth>> check : checks) {
					assertThat(check.get()).noneMatch(ComponentHealth::up);
				}
			}
			finally {
				pool.shutdown();
			}
			assertThat(counting.connections.get()).isEqualTo(4);
		}
	}

	private static DatabaseCacheBackend backend(String table, CountingDataSource dataSource, Duration refresh) {
		// No pool of its own: every statement goes through the counting data source.
		DatabaseOptions options = new DatabaseOptions().poolSize(0)
			.sizeRefreshInterval(refresh);
		return new DatabaseCacheBackend(CacheSettings.builder("default").location(table).build(), dataSource,
				dataSource, new ValueCodec(new DefaultValueSerializer()), options);
	}

	private static <T> T timed(Callable<T> call) throws Exception {
		long start = System.nanoTime();
		try {
			return call.call();
		}
		finally {
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(AT_ONCE);
		}
	}

}
