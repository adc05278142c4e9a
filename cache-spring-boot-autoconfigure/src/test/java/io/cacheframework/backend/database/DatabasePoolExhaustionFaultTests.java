package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
 * The application's own Hikari pool fully held by other threads, as {@code @Transactional} callers hold it under
 * load (each connection inside an open transaction), while 8 threads use a database cache configured the usual way
 * ({@code app.caches.default.options.*}, the application's DataSource). Before the fix every cache call waited for a
 * connection for Hikari's {@code connectionTimeout} (30 s).
 *
 * <p>With the cache's own pool (the default) the cache goes on working: every caller reads back what it wrote, and no
 * call comes near its bound. With {@code pool-size: 0} it borrows from the exhausted pool: every call is a miss
 * within connect-timeout 500 ms, and it works again as soon as connections are free. No exception reaches a caller.
 * Bound: connect-timeout 500 ms + 250 ms pool check + query-timeout 1 s + 250 ms = 2 s; margin 1 s: every call
 * within 3 s.
 */
class DatabasePoolExhaustionFaultTests {

	private static final Duration LIMIT = Duration.ofSeconds(3);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
				CacheFrameworkAutoConfiguration.class))
		.withPropertyValues("app.caches.default.backend=database", "app.caches.default.options.connect-timeout=500ms",
				"app.caches.default.options.query-timeout=1s");

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void withItsOwnPoolTheCacheKeepsWorking(TestDatabase database) throws Exception {
		String table = createTable(database);
		try (HikariDataSource application = database.newPool(4)) {
			List<Connection> held = holdEveryConnection(application);
			try {
				this.contextRunner.withBean("dataSource", DataSource.class, () -> applicationBean(application))
					.withPropertyValues("app.caches.default.location=" + table)
					.run((context) -> {
						CacheBackend cache = context.getBean(Caches.class).get("default");
						FaultCallers.Result result = FaultCallers.run(8, Duration.ofMillis(1500),
								Duration.ofSeconds(10), (thread, round) -> {
									String value = "v" + thread + "-" + round;
									cache.set("k" + thread, value);
									assertThat(cache.get("k" + thread)).isEqualTo(value);
								});
						assertThat(result.hung()).as("%s", result).isZero();
						assertThat(result.errors()).as("%s", result).isEmpty();
						assertThat(result.longest()).as("%s", result).isLessThanOrEqualTo(LIMIT);
						assertThat(result.calls()).isGreaterThanOrEqualTo(8);
						assertThat(DatabaseStallFaultTests.connections((DatabaseCacheBackend) cache))
							.containsEntry("source", "own pool");
					});
			}
			finally {
				release(held);
			}
		}
		finally {
			database.dropTable(table);
		}
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void onTheApplicationsPoolEveryCallIsABoundedMissUntilConnectionsAreFree(TestDatabase database)
			throws Exception {
		String table = createTable(database);
		try (HikariDataSource application = database.newPool(4)) {
			List<Connection> held = holdEveryConnection(application);
			try {
				this.contextRunner.withBean("dataSource", DataSource.class, () -> applicationBean(application))
					.withPropertyValues("app.caches.default.location=" + table, "app.caches.default.options.pool-size=0",
							"app.caches.default.options.timeout-threshold=1000")
					.run((context) -> {
						CacheBackend cache = context.getBean(Caches.class).get("default");
						FaultCallers.Result result = FaultCallers.run(8, Duration.ofMillis(1500),
								Duration.ofSeconds(10), (thread, round) -> {
									cache.set("k" + thread, "v");
									assertThat(cache.get("k" + thread)).isNull();
								});
						assertThat(result.hung()).as("%s", result).isZero();
						assertThat(result.errors()).as("%s", result).isEmpty();
						assertThat(result.longest()).as("%s", result).isLessThanOrEqualTo(LIMIT);
						release(held);
						held.clear();
						long freed = System.nanoTime();
						while (!serves(cache)) {
							assertThat(Duration.ofNanos(System.nanoTime() - freed)).isLessThan(LIMIT);
							Thread.sleep(20);
						}
					});
			}
			finally {
				release(held);
			}
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * The application's pool as its DataSource bean, behind a proxy (as observability or routing wrappers put it):
	 * the cache finds the Hikari pool behind it, and closing the context does not close the pool under the test.
	 */
	private static DataSource applicationBean(HikariDataSource application) {
		return new DelegatingDataSource(application);
	}

	private static String createTable(TestDatabase database) {
		String table = TestDatabase.uniqueTable("exhausted");
		new DatabaseCacheBackend(CacheSettings.builder("create").location(table).build(), database.dataSource())
			.createTable();
		return table;
	}

	/**
	 * Every connection of the pool, each in an open transaction that has run a statement.
	 */
	private static List<Connection> holdEveryConnection(HikariDataSource pool) throws SQLException {
		List<Connection> held = new ArrayList<>();
		for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
			Connection connection = pool.getConnection();
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT 1");
			}
			held.add(connection);
		}
		assertThat(pool.getHikariPoolMXBean().getIdleConnections()).isZero();
		return held;
	}

	private static void release(List<Connection> held) throws SQLException {
		for (Connection connection : held) {
			connection.rollback();
			connection.close();
		}
	}

	private static boolean serves(CacheBackend cache) {
		String value = "after-" + System.nanoTime();
		cache.set("freed", value);
		return value.equals(cache.get("freed"));
	}

}
