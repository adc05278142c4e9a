package io.cacheframework.core;

import java.time.Duration;
import java.util.List;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Store failures reach the log (issue 12, item 14): the first failure of an outage is logged at WARN at once, then
 * at most one line per 10-second interval, carrying how many failures it did not log. The outage is real: an H2
 * cache whose table was never created. The interval runs on the cache's clock, so the test moves time instead of
 * sleeping. (A memcached whose only server was stopped: {@code MemcachedOutageLoggingTests}.)
 */
class StoreFailureLoggingTests {

	@Test
	void missingCacheTableIsLoggedAtOnceThenOncePerIntervalWithTheSuppressedCount() {
		MutableClock clock = new MutableClock();
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:failurelog" + ProcessHandle.current().pid() + ";DB_CLOSE_DELAY=-1");
		CacheSettings settings = CacheSettings.builder("orders").location("no_such_cache_table").clock(clock).build();
		try (LogCapture log = LogCapture.of(DatabaseCacheBackend.class.getName());
				DatabaseCacheBackend cache = new DatabaseCacheBackend(settings, dataSource)) {
			assertThat(cache.get("invoice")).isNull();
			List<String> lines = log.storeFailures();
			assertThat(lines).as("the first failure is logged at once").hasSize(1);
			assertThat(lines.get(0)).startsWith("Cache 'orders' (database) get failed").containsIgnoringCase(
					"no_such_cache_table");
			for (int i = 0; i < 5; i++) {
				assertThat(cache.get("invoice")).isNull();
			}
			clock.advance(Duration.ofMillis(9_999));
			assertThat(cache.get("invoice")).isNull();
			assertThat(log.storeFailures()).as("failures within the interval are counted, not logged").hasSize(1);
			clock.advance(Duration.ofMillis(1));
			assertThat(cache.get("invoice")).isNull();
			lines = log.storeFailures();
			assertThat(lines).hasSize(2);
			assertThat(lines.get(1)).startsWith("Cache 'orders' (database) get failed")
				.contains("(6 similar failures not logged)");
			assertThat(cache.statistics().errors()).isEqualTo(8);
		}
	}

}
