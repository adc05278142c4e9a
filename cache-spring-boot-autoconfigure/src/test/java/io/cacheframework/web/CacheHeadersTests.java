package io.cacheframework.web;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.i18n.SimpleTimeZoneAwareLocaleContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Django's {@code django.utils.cache} vectors (CONFORMANCE items 69-76 and the §2 page-cache key vectors).
 */
class CacheHeadersTests {

	private static final Clock AT_2016 = Clock.fixed(Instant.ofEpochSecond(1468749600), ZoneOffset.UTC);

	@AfterEach
	void resetLocale() {
		LocaleContextHolder.resetLocaleContext();
	}

	private static Map<String, Object> kw(Object... pairs) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			map.put((String) pairs[i], pairs[i + 1]);
		}
		return map;
	}

	private static Set<String> directives(String header) {
		return new HashSet<>(Arrays.asList(header.split(", ")));
	}

	@Test
	void patchCacheControlDjangoVectors() {
		assertThat(CacheHeaders.patchCacheControl((String) null, kw("private", true))).isEqualTo("private");
		assertThat(CacheHeaders.patchCacheControl("", kw("private", true))).isEqualTo("private");
		assertThat(CacheHeaders.patchCacheControl("", kw("no_cache", "Set-Cookie"))).isEqualTo("no-cache=Set-Cookie");
		assertThat(CacheHeaders.patchCacheControl("", kw("no-cache", "Set-Cookie"))).isEqualTo("no-cache=Set-Cookie");
		assertThat(CacheHeaders.patchCacheControl("no-cache=Set-Cookie", kw("no_cache", true))).isEqualTo("no-cache");
		assertThat(CacheHeaders.patchCacheControl("no-cache=Set-Cookie,no-cache=Link", kw("no_cache", true)))
			.isEqualTo("no-cache");
		assertThat(directives(CacheHeaders.patchCacheControl("no-cache=Set-Cookie", kw("no_cache", "Link"))))
			.containsExactlyInAnyOrder("no-cache=Set-Cookie", "no-cache=Link");
		assertThat(directives(
				CacheHeaders.patchCacheControl("no-cache=Set-Cookie,no-cache=Link", kw("no_cache", "Custom"))))
			.containsExactlyInAnyOrder("no-cache=Set-Cookie", "no-cache=Link", "no-cache=Custom");
		assertThat(CacheHeaders.patchCacheControl("private", kw("private", true))).isEqualTo("private");
		assertThat(CacheHeaders.patchCacheControl("private", kw("public", true))).isEqualTo("public");
		assertThat(CacheHeaders.patchCacheControl("public", kw("public", true))).isEqualTo("public");
		assertThat(CacheHeaders.patchCacheControl("public", kw("private", true))).isEqualTo("private");
		assertThat(CacheHeaders.patchCacheControl("must-revalidate,max-age=60,private", kw("public", true)))
			.isEqualTo("must-revalidate, max-age=60, public");
		assertThat(CacheHeaders.patchCacheControl("must-revalidate,max-age=60,public", kw("private", true)))
			.isEqualTo("must-revalidate, max-age=60, private");
		assertThat(CacheHeaders.patchCacheControl("must-revalidate,max-age=60", kw("public", true)))
			.isEqualTo("must-revalidate, max-age=60, public");
		assertThat(CacheHeaders.patchCacheControl("Private, MAX-AGE=5", kw("public", true)))
			.isEqualTo("max-age=5, public");
		assertThat(CacheHeaders.patchCacheControl((String) null,
				kw("max_age", 123, "private", true, "public", true, "custom", 456)))
			.isEqualTo("max-age=123, private, public, custom=456");
		assertThat(CacheHeaders.patchCacheControl((String) null, kw("private", false))).isEqualTo("private=False");
		// max-age keeps the minimum; an updated directive keeps its position.
		assertThat(CacheHeaders.patchCacheControl("max-age=300, public", kw("max_age", 600)))
			.isEqualTo("max-age=300, public");
		assertThat(CacheHeaders.patchCacheControl("public, max-age=600", kw("max_age", 30)))
			.isEqualTo("public, max-age=30");
		// 6.1 drops empty items.
		assertThat(CacheHeaders.patchCacheControl("public,,  ,max-age=1", Map.of())).isEqualTo("public, max-age=1");
	}

	@Test
	void patchVaryHeadersDjangoVectors() {
		assertThat(CacheHeaders.patchVary(null, List.of("Accept-Encoding", "COOKIE")))
			.isEqualTo("Accept-Encoding, COOKIE");
		assertThat(CacheHeaders.patchVary("Cookie", List.of("Accept-Encoding"))).isEqualTo("Cookie, Accept-Encoding");
		assertThat(CacheHeaders.patchVary("Cookie    ,     Accept-Encoding", List.of("Accept-Encoding", "cookie")))
			.isEqualTo("Cookie, Accept-Encoding");
		assertThat(CacheHeaders.patchVary("*", List.of("Accept-Language"))).isEqualTo("*");
		assertThat(CacheHeaders.patchVary("Accept-Language", List.of("*"))).isEqualTo("*");
		assertThat(CacheHeaders.patchVary("Accept-Language", List.of(" Cookie "))).isEqualTo("Accept-Language, Cookie");
		assertThat(CacheHeaders.patchVary("Accept-Language,", List.of("Cookie"))).isEqualTo("Accept-Language, Cookie");
		MockHttpServletResponse response = new MockHttpServletResponse();
		CacheHeaders.patchVaryHeaders(response);
		assertThat(response.getHeader("Vary")).isEmpty();
	}

	@Test
	void varyAnnotationsMergeAsDjangoDecorators() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setHeader("Vary", "Cookie");
		CacheHeaders.patchVaryHeaders(response, "Accept-Language", "X-Custom");
		assertThat(response.getHeader("Vary")).isEqualTo("Cookie, Accept-Language, X-Custom");
		MockHttpServletResponse cookie = new MockHttpServletResponse();
		CacheHeaders.patchVaryHeaders(cookie, "Cookie");
		assertThat(cookie.getHeader("Vary")).isEqualTo("Cookie");
	}

	@Test
	void hasVaryHeaderIsCaseInsensitiveAndStripped() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		assertThat(CacheHeaders.hasVaryHeader(response, "Cookie")).isFalse();
		response.setHeader("Vary", "Accept-Encoding,   COOKIE  ");
		assertThat(CacheHeaders.hasVaryHeader(response, "cookie")).isTrue();
		assertThat(CacheHeaders.hasVaryHeader(response, " Accept-Encoding ")).isTrue();
		assertThat(CacheHeaders.hasVaryHeader(response, "Accept")).isFalse();
	}

	@Test
	void getMaxAgeDjangoVectors() {
		assertThat(CacheHeaders.getMaxAge((String) null)).isNull();
		assertThat(CacheHeaders.getMaxAge("max-age=60")).isEqualTo(60L);
		assertThat(CacheHeaders.getMaxAge("MAX-AGE=5")).isEqualTo(5L);
		assertThat(CacheHeaders.getMaxAge("max-age=abc")).isNull();
		assertThat(CacheHeaders.getMaxAge("s-maxage=5")).isNull();
		assertThat(CacheHeaders.getMaxAge("max-age=60,max-age=5")).isEqualTo(5L);
		assertThat(CacheHeaders.getMaxAge("max-age = 60")).isNull();
		assertThat(CacheHeaders.getMaxAge("max-age")).isNull();
	}

	@Test
	void patchResponseHeadersDjangoVectors() {
		MockHttpServletResponse bare = new MockHttpServletResponse();
		CacheHeaders.patchResponseHeaders(bare, 600, AT_2016);
		assertThat(bare.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:10:00 GMT");
		assertThat(bare.getHeader("Cache-Control")).isEqualTo("max-age=600");

		MockHttpServletResponse shorter = new MockHttpServletResponse();
		shorter.setHeader("Cache-Control", "max-age=300");
		CacheHeaders.patchResponseHeaders(shorter, 300, AT_2016);
		assertThat(shorter.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:05:00 GMT");
		assertThat(shorter.getHeader("Cache-Control")).isEqualTo("max-age=300");

		MockHttpServletResponse preset = new MockHttpServletResponse();
		preset.setHeader("Expires", "Sun, 17 Jul 2016 11:00:00 GMT");
		CacheHeaders.patchResponseHeaders(preset, 600, AT_2016);
		assertThat(preset.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 11:00:00 GMT");
		assertThat(preset.getHeader("Cache-Control")).isEqualTo("max-age=600");

		MockHttpServletResponse negative = new MockHttpServletResponse();
		CacheHeaders.patchResponseHeaders(negative, -5, AT_2016);
		assertThat(negative.getHeader("Expires")).isEqualTo("Sun, 17 Jul 2016 10:00:00 GMT");
		assertThat(negative.getHeader("Cache-Control")).isEqualTo("max-age=0");
	}

	@Test
	void neverCacheHeadersDjangoVectors() {
		Clock clock = Clock.fixed(Instant.ofEpochSecond(1167616461), ZoneOffset.UTC);
		MockHttpServletResponse response = new MockHttpServletResponse();
		CacheHeaders.addNeverCacheHeaders(response, clock);
		assertThat(response.getHeader("Expires")).isEqualTo("Mon, 01 Jan 2007 01:54:21 GMT");
		assertThat(response.getHeader("Cache-Control"))
			.isEqualTo("max-age=0, no-cache, no-store, must-revalidate, private");

		MockHttpServletResponse tomorrow = new MockHttpServletResponse();
		tomorrow.setHeader("Expires", "tomorrow");
		CacheHeaders.addNeverCacheHeaders(tomorrow, clock);
		assertThat(tomorrow.getHeader("Expires")).isEqualTo("tomorrow");

		MockHttpServletResponse wasPublic = new MockHttpServletResponse();
		wasPublic.setHeader("Cache-Control", "public, max-age=600");
		CacheHeaders.addNeverCacheHeaders(wasPublic, clock);
		assertThat(wasPublic.getHeader("Cache-Control"))
			.isEqualTo("max-age=0, no-cache, no-store, must-revalidate, private");
	}

	@Test
	void cacheControlAnnotationWithoutDirectivesSetsEmptyHeader() throws Exception {
		@CacheControl
		class Empty {
		}
		@CacheControl(maxAge = 30, cachePublic = true, mustRevalidate = true)
		class Some {
		}
		assertThat(CacheHeaders.patchCacheControl((String) null,
				CacheHeadersInterceptor.directives(Empty.class.getAnnotation(CacheControl.class))))
			.isEmpty();
		assertThat(CacheHeaders.patchCacheControl("max-age=60, private",
				CacheHeadersInterceptor.directives(Some.class.getAnnotation(CacheControl.class))))
			.isEqualTo("max-age=30, public, must-revalidate");
	}

	private static MockHttpServletRequest request(String host, String uri, String query) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
		request.setServerName(host);
		request.setServerPort(80);
		request.setQueryString(query);
		return request;
	}

	@Test
	void keyVectorsWithI18nAndTzOff() {
		PageCacheKeys keys = new PageCacheKeys(false, false);
		MockHttpServletRequest request = request("testserver", "/cache/test/", null);
		String uri = PageCacheKeys.absoluteUri(request);
		assertThat(uri).isEqualTo("http://testserver/cache/test/");
		assertThat(keys.headerKey("settingsprefix", uri, keys.suffix()))
			.isEqualTo("views.decorators.cache.cache_header.settingsprefix.58a0a05c8a5620f813686ff969c26853");
		assertThat(keys.pageKey(request, "GET", List.of(), "settingsprefix", uri, keys.suffix())).isEqualTo(
				"views.decorators.cache.cache_page.settingsprefix.GET.58a0a05c8a5620f813686ff969c26853.d41d8cd98f00b204e9800998ecf8427e");
		assertThat(keys.pageKey(request, "HEAD", List.of(), "settingsprefix", uri, "")).isEqualTo(
				"views.decorators.cache.cache_page.settingsprefix.HEAD.58a0a05c8a5620f813686ff969c26853.d41d8cd98f00b204e9800998ecf8427e");
		assertThat(keys.headerKey("", PageCacheKeys.absoluteUri(request("testserver", "/cache/test/", "test=1")), ""))
			.endsWith(".0f1c2d56633c943073c4569d9a9502fe");
		assertThat(keys.headerKey("", PageCacheKeys.absoluteUri(request("www.example.com", "/cache/test/", null)), ""))
			.endsWith(".18a03f9c9649f7d684af5db3524f5c99");
	}

	@Test
	void learnAndGetCacheKeyRoundTrip() {
		PageCacheKeys keys = new PageCacheKeys(false, false);
		try (CacheBackend cache = new LocMemCacheBackend(CacheSettings.builder("default").location("keys").build())) {
			MockHttpServletRequest request = request("testserver", "/cache/test/", null);
			assertThat(keys.getCacheKey(request, "settingsprefix", "GET", cache)).isNull();
			MockHttpServletResponse response = new MockHttpServletResponse();
			String learned = keys.learnCacheKey(request, response.getHeader("Vary"), 600, "settingsprefix", cache);
			assertThat(learned).isEqualTo(
					"views.decorators.cache.cache_page.settingsprefix.GET.58a0a05c8a5620f813686ff969c26853.d41d8cd98f00b204e9800998ecf8427e");
			assertThat(cache.get("views.decorators.cache.cache_header.settingsprefix.58a0a05c8a5620f813686ff969c26853"))
				.isEqualTo("");
			assertThat(keys.getCacheKey(request, "settingsprefix", "GET", cache)).isEqualTo(learned);
			assertThat(cache.makeKey(learned)).startsWith(":1:views.decorators.cache.cache_page.settingsprefix.GET.");
		}
	}

	@Test
	void varyBlobIsNetstringAndAbsentDiffersFromEmpty() {
		PageCacheKeys keys = new PageCacheKeys(true, false);
		List<String> list = keys.headerList("Accept-Encoding, Accept-Language");
		assertThat(list).containsExactly("HTTP_ACCEPT_ENCODING");
		assertThat(new PageCacheKeys(false, false).headerList("Cookie, accept-encoding"))
			.containsExactly("HTTP_ACCEPT_ENCODING", "HTTP_COOKIE");
		MockHttpServletRequest gzip = request("testserver", "/v/", null);
		gzip.addHeader("Accept-Encoding", "gzip");
		MockHttpServletRequest absent = request("testserver", "/v/", null);
		MockHttpServletRequest empty = request("testserver", "/v/", null);
		empty.addHeader("Accept-Encoding", "");
		assertThat(keys.pageKey(gzip, "GET", list, "", "u", "")).endsWith(".8c7cb601e006c885b951ad828385d4fd");
		assertThat(keys.pageKey(absent, "GET", list, "", "u", "")).endsWith(".4792b9bac48c3f0441b0d9b0d7af8f2c");
		assertThat(keys.pageKey(empty, "GET", list, "", "u", "")).endsWith(".3b59035bd3b34e30981dc990dd93acbb");
	}

	@Test
	void cachedResponseRoundTripsThroughItsByteFormat() {
		CachedResponse page = new CachedResponse(200, List.of("Vary", "Cookie", "X-A", "1", "X-A", "2"),
				"text/html;charset=UTF-8", "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), -1);
		CachedResponse back = CachedResponse.fromBytes(page.toBytes());
		assertThat(back).isNotNull();
		assertThat(back.status()).isEqualTo(200);
		assertThat(back.headers()).containsExactly("Vary", "Cookie", "X-A", "1", "X-A", "2");
		assertThat(back.contentType()).isEqualTo("text/html;charset=UTF-8");
		assertThat(back.body()).isEqualTo(page.body());
		byte[] corrupt = page.toBytes();
		corrupt[corrupt.length - 1] = 0;
		assertThat(CachedResponse.fromBytes(java.util.Arrays.copyOf(corrupt, corrupt.length - 1))).isNull();
		assertThat(CachedResponse.fromBytes("not a page".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isNull();
		assertThat(CachedResponse.fromBytes(new byte[0])).isNull();
	}

	@Test
	void localeAndTimeZoneSuffix() {
		LocaleContextHolder.setLocale(Locale.US);
		assertThat(new PageCacheKeys(true, false).suffix()).isEqualTo(".en-us");
		assertThat(new PageCacheKeys(true, true).suffix()).isEqualTo(".en-us");
		LocaleContextHolder.setLocale(Locale.GERMAN);
		assertThat(new PageCacheKeys(true, true).suffix()).isEqualTo(".de");
		LocaleContextHolder.setLocaleContext(
				new SimpleTimeZoneAwareLocaleContext(Locale.US, TimeZone.getTimeZone("America/Chicago")));
		assertThat(new PageCacheKeys(true, true).suffix()).isEqualTo(".en-us.America/Chicago");
		assertThat(new PageCacheKeys(false, true).suffix()).isEqualTo(".America/Chicago");
		assertThat(new PageCacheKeys(false, false).suffix()).isEmpty();
	}

}
