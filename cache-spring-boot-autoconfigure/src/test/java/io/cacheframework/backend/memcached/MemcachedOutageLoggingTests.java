package io.cacheframework.backend.memcached;

import java.time.Duration;
import java.util.List;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.MutableClock;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A memcached whose only server was stopped: the outage is in the log at once, then at most one line per 10-second
 * interval (on the cache's clock) with the number of failures not logged (issue 12, item 14). Uses the test's
 * {@link MemcachedServer} and the unchanged memcached backend.
 */
class MemcachedOutageLoggingTests {

	@Test
	void onlyServerStoppedIsLoggedAtOnceThenOncePerIntervalWithTheSuppressedCount() {
		MutableClock clock = new MutableClock();
		MemcachedOptions options = new MemcachedOptions();
		options.setOperationTimeout(Duration.ofMillis(200));
		options.setReconnectDelay(Duration.ofSeconds(1));
		try (MemcachedServer server = MemcachedServer.start()) {
			CacheSettings settings = CacheSettings.builder("sessions").location(server.location()).clock(clock).build();
			try (LogCapture log = LogCapture.of(MemcachedCacheBackend.class.getName());
					MemcachedCacheBackend cache = new MemcachedCacheBackend(settings, options,
							new DefaultValueSerializer())) {
				cache.set("user", "ann");
				assertThat(cache.get("user")).isEqualTo("ann");
				assertThat(log.storeFailures()).isEmpty();
				server.stop();
				assertThat(cache.get("user")).isNull();
				List<String> lines = log.storeFailures();
				assertThat(lines).as("the first failure is logged at once").hasSize(1);
				assertThat(lines.get(0)).startsWith("Cache 'sessions' (memcached) get failed");
				for (int i = 0; i < 9; i++) {
					assertThat(cache.get("user")).isNull();
				}
				assertThat(log.storeFailures()).hasSize(1);
				clock.advance(Duration.ofSeconds(10));
				cache.set("user", "bob");
				lines = log.storeFailures();
				assertThat(lines).hasSize(2);
				assertThat(lines.get(1)).startsWith("Cache 'sessions' (memcached) set failed")
					.contains("(9 similar failures not logged)");
			}
		}
	}

}
