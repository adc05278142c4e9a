package io.cacheframework.web;

import java.util.List;
import java.util.Map;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * The interceptors without {@link PageCacheFilter} (issue 13, item 8): an interceptor cannot capture a body, so
 * nothing is stored and the response is left as the handler wrote it (the removed no-filter branch patched
 * {@code Expires} and {@code Cache-Control} for a page it never stored), a warning says so once, and pages that are
 * already stored are still served.
 */
class PageCacheWithoutFilterTests {

	private final LocMemCacheBackend cache = new LocMemCacheBackend(
			CacheSettings.builder("default").location("page-cache-without-filter").build());

	private final PageCacheTestSupport.Probe probe = new PageCacheTestSupport.Probe();

	private final PageCache pageCache = PageCache
		.builder(() -> new DefaultCaches(Map.of("default", this.cache)),
				new DefaultPageCacheSettingsResolver(PageCacheSettings.siteWide("default", "", 600), List.of(), 600))
		.build();

	@AfterEach
	void close() {
		this.cache.clear();
		this.cache.close();
	}

	private MockMvc mvc(boolean withFilter) {
		var builder = MockMvcBuilders.standaloneSetup(this.probe)
			.addInterceptors(new UpdateCacheInterceptor(this.pageCache), new FetchFromCacheInterceptor(this.pageCache));
		return withFilter ? builder.addFilters(new PageCacheFilter(this.pageCache)).build() : builder.build();
	}

	@Test
	void storesNothingLeavesTheResponseAloneAndWarnsOnce() throws Exception {
		MockMvc interceptorsOnly = mvc(false);
		try (LogCapture log = LogCapture.of(PageCache.class.getName())) {
			MockHttpServletResponse first = interceptorsOnly.perform(get("/p/page")).andReturn().getResponse();
			MockHttpServletResponse second = interceptorsOnly.perform(get("/p/page")).andReturn().getResponse();
			assertThat(first.getContentAsString()).isEqualTo("page 1");
			assertThat(second.getContentAsString()).isEqualTo("page 2");
			assertThat(first.getHeader("Expires")).isNull();
			assertThat(first.getHeader("Cache-Control")).isNull();
			assertThat(this.cache.inspection().inspectKeys(10)).isEmpty();
			assertThat(log.warnings()).singleElement()
				.asString()
				.contains("no PageCacheFilter")
				.contains("stores none");
		}
	}

	@Test
	void servesPagesStoredWithTheFilter() throws Exception {
		assertThat(mvc(true).perform(get("/p/page")).andReturn().getResponse().getContentAsString())
			.isEqualTo("page 1");
		MockHttpServletResponse hit = mvc(false).perform(get("/p/page")).andReturn().getResponse();
		assertThat(hit.getContentAsString()).isEqualTo("page 1");
		assertThat(this.probe.calls.get()).isEqualTo(1);
	}

}
