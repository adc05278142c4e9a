package io.cacheframework.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * Page cache failures are logged like every other cache failure (issue 13, item 5): the first at once, then at most
 * one line every ten seconds on the page cache's clock, carrying the number left out. It used to log once a minute
 * and say nothing of what it dropped. The page is served uncached all along.
 */
class PageCacheFailureLogTests {

	private final MutableClock clock = new MutableClock();

	private final LocMemCacheBackend cache = new LocMemCacheBackend(
			CacheSettings.builder("default").location("page-cache-failure-log").build());

	private final PageCacheTestSupport.Probe probe = new PageCacheTestSupport.Probe();

	@AfterEach
	void close() {
		this.cache.close();
	}

	@Test
	void firstFailureAtOnceThenOnePerIntervalWithTheSuppressedCount() throws Exception {
		PageCacheSettingsResolver failing = (request, handler) -> {
			throw new IllegalStateException("resolver down");
		};
		PageCache pageCache = PageCache.builder(() -> new DefaultCaches(Map.of("default", this.cache)), failing)
			.clock(this.clock)
			.build();
		MockMvc mvc = MockMvcBuilders.standaloneSetup(this.probe)
			.addInterceptors(new UpdateCacheInterceptor(pageCache), new FetchFromCacheInterceptor(pageCache))
			.addFilters(new PageCacheFilter(pageCache))
			.build();
		try (LogCapture log = LogCapture.of(PageCache.class.getName())) {
			assertThat(mvc.perform(get("/p/page")).andReturn().getResponse().getContentAsString())
				.isEqualTo("page 1");
			assertThat(log.warnings()).singleElement().asString().startsWith("Page cache failed resolving");
			for (int i = 0; i < 3; i++) {
				mvc.perform(get("/p/page"));
			}
			this.clock.advance(Duration.ofMillis(9_999));
			mvc.perform(get("/p/page"));
			assertThat(log.warnings()).hasSize(1);
			this.clock.advance(Duration.ofMillis(1));
			mvc.perform(get("/p/page"));
			List<String> lines = log.warnings();
			assertThat(lines).hasSize(2);
			assertThat(lines.get(1)).contains("(4 similar failures not logged)");
			assertThat(this.probe.calls.get()).isEqualTo(6);
		}
	}

}
