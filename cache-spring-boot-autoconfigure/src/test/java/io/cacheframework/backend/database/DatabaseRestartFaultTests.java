package io.cacheframework.backend.database;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.DatabaseCacheBackendAutoConfiguration;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Caches;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY.md §7 B4 as a restart: PostgreSQL or MariaDB (the machine's shared servers, so the restart is played
 * by a TCP proxy in front of them) drops every connection of the application and of the cache's own pool at once,
 * refuses new ones for 1.5 s, then accepts again, while 8 callers use a database cache configured the usual way
 * ({@code app.caches.default.*} over the application's Hikari pool). No exception reaches a caller, every call
 * returns within its bound plus a margin, and the cache serves again within 5 s of the database coming back.
 *
 * <p>Bound: connect-timeout 500 ms + 250 ms pool check + query-timeout 1 s + 250 ms = 2 s; margin 1 s for a
 * loaded 2-core machine: every call within 3 s.
 */
class DatabaseRestartFaultTests {

	private static final Duration LIMIT = Duration.ofSeconds(3);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
				CacheFrameworkAutoConfiguration.class))
		.withPropertyValues("app.caches.default.backend=database", "app.caches.default.options.connect-timeout=500ms",
				"app.caches.default.options.query-timeout=1s", "app.caches.default.options.reconnect-delay=1s");

	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
	void aRestartingDatabaseIsABoundedMissAndServesAgainSoonAfter(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("restart");
		new DatabaseCacheBackend(CacheSettings.builder("create").location(table).build(), database.dataSource())
			.createTable();
		ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor();
		try (StallingTcpProxy proxy = new StallingTcpProxy("127.0.0.1", database.port());
				HikariDataSource application = database.newPoolThrough(4, proxy.port())) {
			this.contextRunner
				.withBean("dataSource", DataSource.class, () -> new DelegatingDataSource(application))
				.withPropertyValues("app.caches.default.location=" + table)
				.run((context) -> {
					CacheBackend cache = context.getBean(Caches.class).get("default");
					assertThat(serves(cache)).isTrue();
					restarter.schedule(proxy::down, 500, TimeUnit.MILLISECONDS);
					restarter.schedule(proxy::up, 2000, TimeUnit.MILLISECONDS);
					FaultCallers.Result result = FaultCallers.run(8, Duration.ofMillis(3000), Duration.ofSeconds(10),
							(thread, round) -> {
								String value = "v" + thread + "-" + round;
								cache.set("k" + thread, value);
								Object read = cache.get("k" + thread);
								if (read != null) {
									assertThat((String) read).startsWith("v" + thread + "-");
								}
							});
					assertThat(result.hung()).as("%s", result).isZero();
					assertThat(result.errors()).as("%s", result).isEmpty();
					assertThat(result.longest()).as("%s", result).isLessThanOrEqualTo(LIMIT);
					// The database has been back for 1 s; the pool replaces its dropped connections.
					long start = System.nanoTime();
					assertThat(serves(cache)).as("serves within 5 s").isTrue();
					System.out.println("[database restart, " + database + "] " + result + "; serving again "
							+ Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms after the callers stopped");
				});
		}
		finally {
			restarter.shutdownNow();
			database.dropTable(table);
		}
	}

	/** Whether the cache serves within 5 s. */
	private static boolean serves(CacheBackend cache) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline) {
			String value = "served-" + System.nanoTime();
			cache.set("probe", value);
			if (value.equals(cache.get("probe"))) {
				return true;
			}
			Thread.sleep(20);
		}
		return false;
	}

}
