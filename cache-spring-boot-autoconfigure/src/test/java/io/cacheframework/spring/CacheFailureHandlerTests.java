package io.cacheframework.spring;

import java.time.Duration;
import java.util.List;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring error handler logs the first failure at once, then at most one line every 10 seconds with the number
 * of failures it did not log (issue 12, item 14: it started at {@code Long.MIN_VALUE}, so it never logged).
 */
class CacheFailureHandlerTests {

	@Test
	void firstFailureIsLoggedAtOnceThenOncePerIntervalWithTheSuppressedCount() {
		MutableClock clock = new MutableClock();
		CacheFailureHandler handler = new CacheFailureHandler(clock);
		try (LogCapture log = LogCapture.of(CacheFailureHandler.class.getName());
				LocMemCacheBackend backend = new LocMemCacheBackend(
						CacheSettings.builder("default").location("failure-handler").build())) {
			DjangoCache cache = new DjangoCache("greetings", backend, true);
			handler.handleCacheGetError(new IllegalStateException("store down"), cache, "ann");
			assertThat(log.warnings()).hasSize(1);
			assertThat(log.warnings().get(0)).startsWith("Cache 'greetings' get of key 'ann' failed")
				.contains("store down");
			for (int i = 0; i < 3; i++) {
				handler.handleCachePutError(new IllegalStateException("store down"), cache, "ann", "v");
			}
			clock.advance(Duration.ofMillis(9_999));
			handler.handleCacheEvictError(new IllegalStateException("store down"), cache, "ann");
			assertThat(log.warnings()).hasSize(1);
			clock.advance(Duration.ofMillis(1));
			handler.handleCacheClearError(new IllegalStateException("store down"), cache);
			List<String> lines = log.warnings();
			assertThat(lines).hasSize(2);
			assertThat(lines.get(1)).startsWith("Cache 'greetings' clear failed")
				.contains("(4 similar failures not logged)");
			assertThat(handler.getFailureCount()).isEqualTo(6);
			assertThat(backend.statistics().errors()).isEqualTo(6);
		}
	}

}
