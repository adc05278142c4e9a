package io.cacheframework.web;

import java.util.List;
import java.util.Set;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.web.DefaultPageCacheSettingsResolver.PathRule;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Django 6.1's cache-middleware rules (CONFORMANCE §L) through real MVC: the interceptor pair, the filter and the
 * per-view annotations over local-memory caches.
 */
class PageCacheTests {

	private final PageCacheTestSupport support = PageCacheTestSupport.siteWide("page-cache-tests");

	private MockHttpServletResponse perform(MockHttpServletRequestBuilder request) throws Exception {
		return this.support.mvc.perform(request).andReturn().getResponse();
	}

	private int calls() {
		return this.support.probe.calls.get();
	}

	@Test
	void getIsStoredWithDjangoHeadersAndServedWithAge() throws Exception {
		MockHttpServletResponse first = perform(get("/p/page"));
		assertThat(first.getContentAsString()).isEqualTo("page 1");
		assertThat(first.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:10:00 GMT");
		assertThat(first.getHeader("Cache-Control")).isEqualTo("max-age=600");
		assertThat(first.getHeader("Age")).isNull();
		this.support.clock.advance(java.time.Duration.ofSeconds(5));
		MockHttpServletResponse hit = perform(get("/p/page"));
		assertThat(hit.getContentAsString()).isEqualTo("page 1");
		assertThat(hit.getHeader("Age")).isEqualTo("5");
		assertThat(hit.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:10:00 GMT");
		assertThat(hit.getContentLength()).isEqualTo(6);
		assertThat(calls()).isEqualTo(1);
	}

	@Test
	void entryExpiresWithTheTimeout() throws Exception {
		perform(get("/p/page"));
		this.support.clock.advance(java.time.Duration.ofSeconds(601));
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 2");
	}

	@Test
	void queryStringIsPartOfTheKey() throws Exception {
		assertThat(perform(get("/p/page?a=1")).getContentAsString()).isEqualTo("page 1");
		assertThat(perform(get("/p/page?a=2")).getContentAsString()).isEqualTo("page 2");
		assertThat(perform(get("/p/page?a=1")).getContentAsString()).isEqualTo("page 1");
	}

	@Test
	void onlyGetAndHeadAreLookedUpOrStored() throws Exception {
		perform(post("/p/page"));
		perform(post("/p/page"));
		assertThat(calls()).isEqualTo(2);
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 3");
		assertThat(perform(post("/p/page")).getContentAsString()).isEqualTo("page 4");
		assertThat(perform(post("/p/page")).getHeader("Expires")).isNull();
	}

	@Test
	void headIsServedFromTheGetEntryWithoutBody() throws Exception {
		perform(get("/p/page"));
		MockHttpServletResponse head = perform(head("/p/page"));
		assertThat(calls()).isEqualTo(1);
		assertThat(head.getStatus()).isEqualTo(200);
		assertThat(head.getContentAsByteArray()).isEmpty();
		assertThat(head.getContentLength()).isEqualTo(6);
	}

	@Test
	void getIsNeverServedFromAHeadEntry() throws Exception {
		perform(head("/p/page"));
		perform(head("/p/page"));
		assertThat(calls()).isEqualTo(1);
		MockHttpServletResponse get = perform(get("/p/page"));
		assertThat(get.getContentAsString()).isEqualTo("page 2");
		assertThat(get.getContentLength()).isEqualTo(6);
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 2");
	}

	@Test
	void onlyStatus200IsStored() throws Exception {
		for (int code : new int[] { 404, 500, 503, 301, 206, 201 }) {
			int before = calls();
			MockHttpServletResponse first = perform(get("/p/status/" + code));
			assertThat(first.getStatus()).isEqualTo(code);
			assertThat(first.getHeader("Expires")).isNull();
			perform(get("/p/status/" + code));
			assertThat(calls()).as("status %d", code).isEqualTo(before + 2);
		}
		perform(get("/p/error-status"));
		perform(get("/p/error-status"));
		assertThat(perform(get("/p/error-status")).getContentAsString()).isEqualTo("503 15");
	}

	@Test
	void handlerExceptionIsNotStored() throws Exception {
		for (int i = 0; i < 2; i++) {
			try {
				perform(get("/p/fail"));
			}
			catch (Exception ex) {
				assertThat(ex).hasRootCauseMessage("boom");
			}
		}
		assertThat(calls()).isEqualTo(2);
	}

	@Test
	void setCookieResponsesAreNeverStored() throws Exception {
		perform(get("/p/cookie"));
		MockHttpServletResponse second = perform(get("/p/cookie"));
		assertThat(second.getCookie("csrftoken").getValue()).isEqualTo("token-1");
		perform(get("/p/cookie?vary=true"));
		perform(get("/p/cookie?vary=true"));
		assertThat(calls()).isEqualTo(4);
	}

	@Test
	void privateNoCacheNoStoreInAnyCaseAreNotStored() throws Exception {
		for (String value : List.of("private", "Private", " no-cache ", "NO-STORE", "private=\"Set-Cookie\"",
				"max-age=60, No-Cache=\"Set-Cookie\"", "public,PRIVATE")) {
			int before = calls();
			MockHttpServletResponse first = perform(get("/p/cc?value={v}", value));
			assertThat(first.getHeader("Cache-Control")).isEqualTo(value);
			assertThat(first.getHeader("Expires")).isNull();
			perform(get("/p/cc?value={v}", value));
			assertThat(calls()).as(value).isEqualTo(before + 2);
		}
	}

	@Test
	void unrelatedExtensionDirectiveIsStored() throws Exception {
		perform(get("/p/cc?value={v}", "x-private-ext=1"));
		MockHttpServletResponse hit = perform(get("/p/cc?value={v}", "x-private-ext=1"));
		assertThat(calls()).isEqualTo(1);
		assertThat(hit.getHeader("Cache-Control")).isEqualTo("x-private-ext=1, max-age=600");
	}

	@Test
	void varyStarIsNotStored() throws Exception {
		perform(get("/p/vary?value={v}", "*"));
		perform(get("/p/vary?value={v}", "*"));
		perform(get("/p/vary?value={v}", "Accept, * "));
		perform(get("/p/vary?value={v}", "Accept, * "));
		assertThat(calls()).isEqualTo(4);
	}

	@Test
	void authorizationKeysThePagePerCredentialUnlessPublic() throws Exception {
		MockHttpServletResponse alice = perform(get("/p/user").header("Authorization", "Bearer alice"));
		assertThat(alice.getHeader("Vary")).isEqualTo("Authorization");
		assertThat(perform(get("/p/user").header("Authorization", "Bearer bob")).getContentAsString())
			.isEqualTo("user=Bearer bob 2");
		assertThat(perform(get("/p/user").header("Authorization", "Bearer alice")).getContentAsString())
			.isEqualTo("user=Bearer alice 1");
		assertThat(perform(get("/p/user")).getContentAsString()).isEqualTo("user=null 3");
		// As in Django, the anonymous response (no Vary) replaces the URL's header list; Alice's entry stays
		// reachable only through her own token, so nobody else can ever be served it.
		assertThat(perform(get("/p/user")).getContentAsString()).isEqualTo("user=null 3");
		MockHttpServletResponse shared = perform(
				get("/p/user?makePublic=true").header("Authorization", "Bearer alice"));
		assertThat(shared.getHeader("Vary")).isNull();
		assertThat(perform(get("/p/user?makePublic=true").header("Authorization", "Bearer bob"))
			.getContentAsString()).isEqualTo("user=Bearer alice 4");
	}

	@Test
	void maxAgeSetsTheTimeoutAndZeroMeansNotStored() throws Exception {
		MockHttpServletResponse first = perform(get("/p/max-age/300"));
		assertThat(first.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:05:00 GMT");
		assertThat(first.getHeader("Cache-Control")).isEqualTo("max-age=300");
		this.support.clock.advance(java.time.Duration.ofSeconds(299));
		assertThat(perform(get("/p/max-age/300")).getContentAsString()).isEqualTo("max-age 1");
		this.support.clock.advance(java.time.Duration.ofSeconds(2));
		assertThat(perform(get("/p/max-age/300")).getContentAsString()).isEqualTo("max-age 2");
		MockHttpServletResponse zero = perform(get("/p/max-age/0"));
		assertThat(zero.getHeader("Expires")).isNull();
		assertThat(zero.getHeader("Cache-Control")).isEqualTo("max-age=0");
		perform(get("/p/max-age/0"));
		assertThat(calls()).isEqualTo(4);
	}

	@Test
	void pageTimeoutWinsOverMaxAge() throws Exception {
		MockHttpServletResponse view600 = perform(get("/p/view-600"));
		assertThat(view600.getHeader("Cache-Control")).isEqualTo("max-age=30");
		assertThat(view600.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:10:00 GMT");
		this.support.clock.advance(java.time.Duration.ofSeconds(100));
		assertThat(perform(get("/p/view-600")).getContentAsString()).isEqualTo("view600 1");
		MockHttpServletResponse view30 = perform(get("/p/view-30"));
		assertThat(view30.getHeader("Cache-Control")).isEqualTo("max-age=30");
		assertThat(view30.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:02:10 GMT");
		this.support.clock.advance(java.time.Duration.ofSeconds(31));
		assertThat(perform(get("/p/view-30")).getContentAsString()).isEqualTo("view30 3");
	}

	@Test
	void cachePageZeroSendsMaxAgeZeroAndStoresNothing() throws Exception {
		MockHttpServletResponse first = perform(get("/p/view-0"));
		assertThat(first.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:00:00 GMT");
		assertThat(first.getHeader("Cache-Control")).isEqualTo("max-age=0");
		perform(get("/p/view-0"));
		assertThat(calls()).isEqualTo(2);
	}

	@Test
	void presetFarExpiresGivesAgeZero() throws Exception {
		perform(get("/p/expires-far"));
		this.support.clock.advance(java.time.Duration.ofSeconds(10));
		MockHttpServletResponse hit = perform(get("/p/expires-far"));
		assertThat(hit.getHeader("Expires")).isEqualTo("Fri, 01 Jan 2100 00:00:00 GMT");
		assertThat(hit.getHeader("Age")).isEqualTo("0");
		assertThat(calls()).isEqualTo(1);
	}

	@Test
	void neverCacheViewIsNeverStored() throws Exception {
		MockHttpServletResponse first = perform(get("/p/never"));
		assertThat(first.getHeader("Cache-Control")).isEqualTo("max-age=0, no-cache, no-store, must-revalidate, private");
		assertThat(first.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:00:00 GMT");
		perform(get("/p/never"));
		assertThat(calls()).isEqualTo(2);
	}

	@Test
	void everyVariedHeaderIsKeyedAndAbsentDiffersFromEmpty() throws Exception {
		assertThat(perform(get("/p/accept-encoding")).getContentAsString()).isEqualTo("encoding=null 1");
		assertThat(perform(get("/p/accept-encoding").header("Accept-Encoding", "")).getContentAsString())
			.isEqualTo("encoding= 2");
		assertThat(perform(get("/p/accept-encoding").header("Accept-Encoding", "gzip")).getContentAsString())
			.isEqualTo("encoding=gzip 3");
		assertThat(perform(get("/p/accept-encoding")).getContentAsString()).isEqualTo("encoding=null 1");
		assertThat(perform(get("/p/accept-encoding").header("Accept-Encoding", "")).getContentAsString())
			.isEqualTo("encoding= 2");
		assertThat(perform(get("/p/accept-encoding").header("Accept-Encoding", "gzip")).getHeader("Vary"))
			.isEqualTo("Accept-Encoding");
		assertThat(calls()).isEqualTo(3);
	}

	@Test
	void cachedPagesAnswerConditionalRequestsWith304() throws Exception {
		MockHttpServletResponse first = perform(get("/p/page"));
		String etag = first.getHeader("ETag");
		assertThat(etag).matches("\"[0-9a-f]{32}\"");
		MockHttpServletResponse notModified = perform(get("/p/page").header("If-None-Match", "W/" + etag));
		assertThat(notModified.getStatus()).isEqualTo(304);
		assertThat(notModified.getContentAsByteArray()).isEmpty();
		assertThat(notModified.getHeader("ETag")).isEqualTo(etag);
		assertThat(perform(get("/p/page").header("If-None-Match", "\"other\"")).getStatus()).isEqualTo(200);
		perform(get("/p/last-modified"));
		MockHttpServletResponse since = perform(
				get("/p/last-modified").header("If-Modified-Since", "Sun, 17 Jul 2016 00:00:00 GMT"));
		assertThat(since.getStatus()).isEqualTo(304);
		assertThat(perform(get("/p/last-modified").header("If-Modified-Since", "Fri, 15 Jul 2016 00:00:00 GMT"))
			.getStatus()).isEqualTo(200);
		assertThat(calls()).isEqualTo(2);
	}

	@Test
	void pagesOverTheSizeLimitAreServedWholeButNotStored() throws Exception {
		PageCacheTestSupport small = new PageCacheTestSupport("size-limit",
				PageCacheSettings.siteWide("default", "", 600), List.of(), 100);
		for (int i = 0; i < 2; i++) {
			MockHttpServletResponse big = small.mvc.perform(get("/p/big?size=5000")).andReturn()
				.getResponse();
			assertThat(big.getContentAsString()).hasSize(5000);
		}
		small.mvc.perform(get("/p/big?size=100"));
		small.mvc.perform(get("/p/big?size=100"));
		assertThat(small.probe.calls.get()).isEqualTo(3);
	}

	@Test
	void streamingAndServerSentEventsPassThroughUncached() throws Exception {
		for (String path : List.of("/p/stream", "/p/sse")) {
			for (int i = 0; i < 2; i++) {
				MvcResult started = this.support.mvc.perform(get(path)).andReturn();
				MockHttpServletResponse done = this.support.mvc.perform(asyncDispatch(started)).andReturn()
					.getResponse();
				assertThat(done.getContentAsString()).contains(path.endsWith("sse") ? "data:event" : "streamed");
				assertThat(done.getHeader("Expires")).isNull();
			}
		}
		assertThat(calls()).isEqualTo(4);
	}

	@Test
	void cachePageIgnoresTheMiddlewareAliasAndPrefix() throws Exception {
		PageCacheTestSupport mw = new PageCacheTestSupport("alias", PageCacheSettings.siteWide("other", "mw", 600),
				List.of(), -1);
		mw.mvc.perform(get("/p/view-600"));
		mw.mvc.perform(get("/p/page"));
		String uriMd5 = "views.decorators.cache.cache_header..";
		assertThat(mw.defaultCache.get(uriMd5 + md5("http://localhost/p/view-600"))).isEqualTo("");
		assertThat(mw.otherCache.get("views.decorators.cache.cache_header.mw." + md5("http://localhost/p/page")))
			.isEqualTo("");
		mw.mvc.perform(get("/p/view-other"));
		assertThat(mw.otherCache.get("views.decorators.cache.cache_header.pfx." + md5("http://localhost/p/view-other")))
			.isEqualTo("");
	}

	@Test
	void pathRulesCacheWithoutAnnotations() throws Exception {
		PageCacheTestSupport ruled = new PageCacheTestSupport("rules", null,
				List.of(PathRule.of("/p/ruled/**", PageCacheSettings.perView(30, "", "", 600))), -1);
		MockHttpServletResponse first = ruled.mvc.perform(get("/p/ruled/a")).andReturn().getResponse();
		assertThat(first.getHeader("Cache-Control")).isEqualTo("max-age=30");
		ruled.mvc.perform(get("/p/ruled/a"));
		ruled.mvc.perform(get("/p/page"));
		ruled.mvc.perform(get("/p/page"));
		assertThat(ruled.probe.calls.get()).isEqualTo(3);
	}

	@Test
	void localeIsPartOfTheKeyWithI18nOn() throws Exception {
		PageCacheTestSupport i18n = new PageCacheTestSupport("i18n", PageCacheSettings.siteWide("default", "", 600),
				List.of(), -1, null, List.of(), new PageCacheKeys(true, true));
		MockHttpServletResponse english = i18n.mvc.perform(get("/p/greeting").header("Accept-Language", "en-US"))
			.andReturn()
			.getResponse();
		assertThat(english.getContentAsString()).isEqualTo("greeting en-US 1");
		assertThat(english.getHeader("Vary")).isEqualTo("Accept-Language");
		assertThat(i18n.mvc.perform(get("/p/greeting").header("Accept-Language", "de")).andReturn().getResponse()
			.getContentAsString()).isEqualTo("greeting de 2");
		assertThat(i18n.mvc.perform(get("/p/greeting").header("Accept-Language", "en-US")).andReturn().getResponse()
			.getContentAsString()).isEqualTo("greeting en-US 1");
		// Accept-Language is left out of the Vary hash (the locale suffix covers it): one header list, suffixed keys.
		assertThat(i18n.defaultCache
			.get("views.decorators.cache.cache_header.." + md5("http://localhost/p/greeting") + ".en-us"))
			.isEqualTo("");
		assertThat(i18n.defaultCache
			.get("views.decorators.cache.cache_header.." + md5("http://localhost/p/greeting") + ".de"))
			.isEqualTo("");
	}

	@Test
	void cacheFailuresNeverFailTheRequest() throws Exception {
		Caches broken = new Caches() {

			@Override
			public CacheBackend get(String alias) {
				throw new IllegalStateException("cache is down");
			}

			@Override
			public Set<String> aliases() {
				return Set.of();
			}

		};
		PageCacheTestSupport down = new PageCacheTestSupport("down", PageCacheSettings.siteWide("default", "", 600),
				List.of(), -1, broken);
		for (int i = 1; i <= 2; i++) {
			MockHttpServletResponse response = down.mvc.perform(get("/p/page")).andReturn().getResponse();
			assertThat(response.getStatus()).isEqualTo(200);
			assertThat(response.getContentAsString()).isEqualTo("page " + i);
		}
		PageCacheTestSupport unknownAlias = new PageCacheTestSupport("unknown",
				PageCacheSettings.siteWide("nosuch", "", 600), List.of(), -1);
		assertThat(unknownAlias.mvc.perform(get("/p/page")).andReturn().getResponse().getContentAsString())
			.isEqualTo("page 1");
	}

	static String md5(String text) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("MD5")
					.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
