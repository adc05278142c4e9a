package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database that stops answering (RELIABILITY §7 B4, hung rather than stopped): PostgreSQL or MariaDB behind an
 * in-JVM TCP proxy that keeps accepting connections but forwards no byte, so that neither the statements nor a
 * query-timeout cancel get through. Before the fix every call hung (the drivers' socket timeout is 0).
 *
 * <p>8 concurrent callers for 2.5 s: no exception reaches a caller, and every call returns within its bound plus a
 * margin. Bound = connect-timeout 500 ms (+ 250 ms for the pool to check an idle connection) + query-timeout 1 s +
 * 250 ms for the server's cancel before the socket times out = 2 s; margin 1 s for a loaded 2-core machine, so no
 * call may take over 3 s. Once the proxy forwards again the cache serves within 5 s (reconnect-delay is 1 s).
 * With the cache's own pool (the default) and with the application's pool ({@code pool-size: 0}).
 */
class DatabaseStallFaultTests {

	private static final Duration BOUND = Duration.ofMillis(500 + 250 + 1000 + 250);

	private static final Duration MARGIN = Duration.ofSeconds(1);

	static Stream<Arguments> cases() {
		return Stream.of(Arguments.of(TestDatabase.POSTGRESQL, 4), Arguments.of(TestDatabase.POSTGRESQL, 0),
				Arguments.of(TestDatabase.MARIADB, 4), Arguments.of(TestDatabase.MARIADB, 0));
	}

	@ParameterizedTest(name = "{0}, pool-size {1}")
	@MethodSource("cases")
	void aHungDatabaseIsABoundedMissAndServesAgainOnceItAnswers(TestDatabase database, int poolSize)
			throws Exception {
		String table = TestDatabase.uniqueTable("stall");
		new DatabaseCacheBackend(CacheSettings.builder("create").location(table).build(), database.dataSource())
			.createTable();
		DatabaseOptions options = new DatabaseOptions().poolSize(poolSize)
			.connectTimeout(Duration.ofMillis(500))
			.queryTimeout(Duration.ofSeconds(1))
			.timeoutThreshold(3)
			.reconnectDelay(Duration.ofSeconds(1));
		try (StallingTcpProxy proxy = new StallingTcpProxy("127.0.0.1", database.port());
				HikariDataSource application = database.newPoolThrough(10, proxy.port());
				DatabaseCacheBackend cache = new DatabaseCacheBackend(
						CacheSettings.builder("stall").location(table).build(), application, application,
						new ValueCodec(new DefaultValueSerializer()), options)) {
			cache.set("warm", "value");
			assertThat(cache.get("warm")).isEqualTo("value");
			assertThat(connections(cache)).containsEntry("source",
					(poolSize > 0) ? "own pool" : "application DataSource");
			proxy.stall();
			try {
				FaultCallers.Result result = FaultCallers.run(8, Duration.ofMillis(2500), Duration.ofSeconds(10),
						(thread, round) -> call(cache, thread, round));
				assertThat(result.hung()).as("%s", result).isZero();
				assertThat(result.errors()).as("%s", result).isEmpty();
				assertThat(result.longest()).as("%s", result).isLessThanOrEqualTo(BOUND.plus(MARGIN));
				assertThat(cache.statistics().errors()).isPositive();
				// Operators' views answer too, without waiting on the database.
				long start = System.nanoTime();
				List<ComponentHealth> health = cache.inspection().checkHealth();
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(BOUND.plus(MARGIN));
				assertThat(health).noneMatch(ComponentHealth::up);
			}
			finally {
				proxy.resume();
			}
			long resumed = System.nanoTime();
			while (!serves(cache)) {
				assertThat(Duration.ofNanos(System.nanoTime() - resumed))
					.as("the cache serves again after the database answers again")
					.isLessThan(Duration.ofSeconds(5));
				Thread.sleep(50);
			}
			assertThat(cache.inspection().checkHealth()).allMatch(ComponentHealth::up);
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * A live server on which the statement cannot finish (its row is locked by someone else's open transaction):
	 * the query timeout cancels it on the server, so the caller gets a miss after 1 s and nothing of the cache's
	 * is left waiting on the lock. (Only abandoning the socket would leave PostgreSQL's backend waiting.)
	 */
	@ParameterizedTest
	@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
	void aStatementWaitingOnALockIsCancelledOnTheServer(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("locked");
		DatabaseOptions options = new DatabaseOptions().queryTimeout(Duration.ofSeconds(1));
		try (HikariDataSource application = database.newPool(4);
				DatabaseCacheBackend cache = new DatabaseCacheBackend(
						CacheSettings.builder("locked").location(table).build(), application, application,
						new ValueCodec(new DefaultValueSerializer()), options)) {
			cache.createTable();
			cache.set("k", "before");
			String q = (database == TestDatabase.MARIADB) ? "`" : "\"";
			try (Connection holder = database.dataSource().getConnection()) {
				holder.setAutoCommit(false);
				try (Statement lock = holder.createStatement()) {
					lock.execute("SELECT * FROM " + q + table + q + " WHERE " + q + "cache_key" + q
							+ " = ':1:k' FOR UPDATE");
				}
				long start = System.nanoTime();
				cache.set("k", "blocked");
				Duration took = Duration.ofNanos(System.nanoTime() - start);
				assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThanOrEqualTo(BOUND.plus(MARGIN));
				assertThat(cache.statistics().errors()).isPositive();
				assertThat(waitingOnLocks(database, table)).isZero();
				holder.rollback();
			}
			// A thread whose statement timed out does not try again for 0.5 s (the rest of its call fails fast).
			Thread.sleep(ConnectionSource.SAME_CALL_MILLIS + 100);
			assertThat(cache.get("k")).isEqualTo("before");
			cache.set("k", "after");
			assertThat(cache.get("k")).isEqualTo("after");
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * Statements on the table still running on the server, other than this query.
	 */
	private static long waitingOnLocks(TestDatabase database, String table) throws Exception {
		String query = (database == TestDatabase.POSTGRESQL)
				? "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%" + table
						+ "%' AND pid <> pg_backend_pid()"
				: "SELECT COUNT(*) FROM information_schema.processlist WHERE command = 'Query' AND info LIKE '%"
						+ table + "%' AND id <> CONNECTION_ID()";
		// The cancel is asynchronous on the server's side: give it a moment to unwind.
		long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
		while (true) {
			try (Connection connection = database.dataSource().getConnection();
					Statement statement = connection.createStatement();
					ResultSet rows = statement.executeQuery(query)) {
				rows.next();
				long running = rows.getLong(1);
				if (running == 0 || System.nanoTime() > deadline) {
					return running;
				}
			}
			Thread.sleep(50);
		}
	}

	/**
	 * Every operation in turn; a hit must be this caller's own value.
	 */
	private static void call(DatabaseCacheBackend cache, int thread, int round) {
		String key = "k" + thread;
		String value = "v" + thread + "-" + round;
		switch (round % 7) {
			case 0 -> cache.set(key, value);
			case 1 -> assertOwn(cache.get(key), thread);
			case 2 -> cache.add(key + "-added", value);
			case 3 -> cache.getMany(List.of(key, key + "-added")).values().forEach((hit) -> assertOwn(hit, thread));
			case 4 -> cache.hasKey(key);
			case 5 -> cache.touch(key);
			default -> assertOwn(cache.getOrSet(key + "-computed", () -> value), thread);
		}
	}

	private static void assertOwn(Object hit, int thread) {
		if (hit != null) {
			assertThat((String) hit).startsWith("v" + thread + "-");
		}
	}

	private static boolean serves(DatabaseCacheBackend cache) {
		String value = "after-" + System.nanoTime();
		cache.set("recovered", value);
		return value.equals(cache.get("recovered"));
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> connections(DatabaseCacheBackend cache) {
		return (Map<String, Object>) cache.inspection().inspectionDetails().get("connections");
	}

}
