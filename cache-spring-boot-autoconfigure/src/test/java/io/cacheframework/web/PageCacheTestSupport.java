package io.cacheframework.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Caches;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.MutableClock;
import io.cacheframework.web.DefaultPageCacheSettingsResolver.PathRule;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * A page-cache MVC setup over real local-memory caches and a movable clock, with a probe controller that counts
 * how often each handler really runs.
 */
final class PageCacheTestSupport {

	static final long NOW = 1468749600L;

	final MutableClock clock = new MutableClock(java.time.Instant.ofEpochSecond(NOW));

	final CacheBackend defaultCache;

	final CacheBackend otherCache;

	final Probe probe = new Probe();

	final PageCache pageCache;

	final MockMvc mvc;

	PageCacheTestSupport(String store, @Nullable PageCacheSettings siteWide, List<PathRule> rules, long maxBodySize) {
		this(store, siteWide, rules, maxBodySize, null);
	}

	PageCacheTestSupport(String store, @Nullable PageCacheSettings siteWide, List<PathRule> rules, long maxBodySize,
			@Nullable Caches caches) {
		this(store, siteWide, rules, maxBodySize, caches, List.of());
	}

	PageCacheTestSupport(String store, @Nullable PageCacheSettings siteWide, List<PathRule> rules, long maxBodySize,
			@Nullable Caches caches, List<String> allowedHosts, Filter... filtersBefore) {
		this(store, siteWide, rules, maxBodySize, caches, allowedHosts, new PageCacheKeys(false, false),
				filtersBefore);
	}

	PageCacheTestSupport(String store, @Nullable PageCacheSettings siteWide, List<PathRule> rules, long maxBodySize,
			@Nullable Caches caches, List<String> allowedHosts, PageCacheKeys keys, Filter... filtersBefore) {
		this.defaultCache = new LocMemCacheBackend(
				CacheSettings.builder("default").location(store + "-default").clock(this.clock).build());
		this.otherCache = new LocMemCacheBackend(
				CacheSettings.builder("other").location(store + "-other").clock(this.clock).build());
		this.defaultCache.clear();
		this.otherCache.clear();
		Caches registry = (caches != null) ? caches
				: new DefaultCaches(Map.of("default", this.defaultCache, "other", this.otherCache));
		this.pageCache = PageCache
			.builder(() -> registry, new DefaultPageCacheSettingsResolver(siteWide, rules, 600))
			.keys(keys)
			.clock(this.clock)
			.maxBodySize(maxBodySize)
			.allowedHosts(allowedHosts)
			.build();
		List<Filter> filters = new ArrayList<>(List.of(filtersBefore));
		filters.add(new PageCacheFilter(this.pageCache));
		this.mvc = MockMvcBuilders.standaloneSetup(this.probe)
			.addInterceptors(new UpdateCacheInterceptor(this.pageCache), new FetchFromCacheInterceptor(this.pageCache),
					new CacheHeadersInterceptor(this.clock))
			.addFilters(filters.toArray(new Filter[0]))
			.build();
	}

	static PageCacheTestSupport siteWide(String store) {
		return new PageCacheTestSupport(store, PageCacheSettings.siteWide("default", "", 600), List.of(), 1024 * 1024);
	}

	@RestController
	@RequestMapping("/p")
	static class Probe {

		final AtomicInteger calls = new AtomicInteger();

		private String body(String name) {
			return name + " " + this.calls.incrementAndGet();
		}

		@RequestMapping("/page")
		String page() {
			return body("page");
		}

		@GetMapping("/max-age/{seconds}")
		String maxAge(@PathVariable long seconds, HttpServletResponse response) {
			response.setHeader("Cache-Control", "max-age=" + seconds);
			return body("max-age");
		}

		@GetMapping("/cc")
		String cacheControl(@RequestParam String value, HttpServletResponse response) {
			response.setHeader("Cache-Control", value);
			return body("cc");
		}

		@GetMapping("/vary")
		String vary(@RequestParam List<String> value, HttpServletResponse response) {
			value.forEach((v) -> response.addHeader("Vary", v));
			return body("vary");
		}

		@GetMapping("/cookie")
		String cookie(HttpServletResponse response, @RequestParam(defaultValue = "false") boolean vary) {
			response.addCookie(new Cookie("csrftoken", "token-" + this.calls.get()));
			if (vary) {
				response.setHeader("Vary", "Cookie");
			}
			return body("cookie");
		}

		@GetMapping("/session")
		String session(HttpServletRequest request) {
			Object user = request.getSession().getAttribute("user");
			return body("session user=" + user);
		}

		@GetMapping("/change-session")
		String changeSession(HttpServletRequest request) {
			request.changeSessionId();
			return body("changed");
		}

		@GetMapping(path = "/json", produces = MediaType.APPLICATION_JSON_VALUE)
		String json() {
			return body("{\"json\":true}");
		}

		@GetMapping("/body")
		String requestBody(@org.springframework.web.bind.annotation.RequestBody(required = false) String body) {
			return body("body=" + body);
		}

		@GetMapping("/status/{code}")
		ResponseEntity<String> status(@PathVariable int code) {
			return ResponseEntity.status(code).header("Location", "/p/page").body(body("status"));
		}

		@GetMapping("/fail")
		String fail() {
			body("fail");
			throw new IllegalStateException("boom");
		}

		@GetMapping("/echo")
		@VaryOnHeaders("X-Tenant")
		String echo(@RequestHeader(name = "X-Tenant", required = false) String tenant) {
			return body("tenant=" + tenant);
		}

		@GetMapping("/accept-encoding")
		@VaryOnHeaders({ "Accept-Encoding" })
		String acceptEncoding(@RequestHeader(name = "Accept-Encoding", required = false) String encoding) {
			return body("encoding=" + encoding);
		}

		@GetMapping("/user")
		String user(@RequestHeader(name = "Authorization", required = false) String authorization,
				@RequestParam(defaultValue = "false") boolean makePublic, HttpServletResponse response) {
			if (makePublic) {
				response.setHeader("Cache-Control", "public");
			}
			return body("user=" + authorization);
		}

		@GetMapping("/host")
		String host(HttpServletRequest request) {
			return body("<link rel=canonical href=\"" + request.getRequestURL() + "\">");
		}

		@GetMapping("/expires-far")
		String expiresFar(HttpServletResponse response) {
			response.setHeader("Expires", "Fri, 01 Jan 2100 00:00:00 GMT");
			return body("far");
		}

		@GetMapping("/last-modified")
		ResponseEntity<String> lastModified() {
			return ResponseEntity.ok().header("Last-Modified", "Sat, 16 Jul 2016 10:00:00 GMT").body(body("lm"));
		}

		@GetMapping("/big")
		String big(@RequestParam int size) {
			this.calls.incrementAndGet();
			return "x".repeat(size);
		}

		@GetMapping("/stream")
		StreamingResponseBody stream() {
			this.calls.incrementAndGet();
			return (out) -> out.write("streamed".getBytes(StandardCharsets.UTF_8));
		}

		@GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		SseEmitter sse() throws Exception {
			this.calls.incrementAndGet();
			SseEmitter emitter = new SseEmitter();
			emitter.send("event");
			emitter.complete();
			return emitter;
		}

		@GetMapping("/view-600")
		@CachePage(600)
		@CacheControl(maxAge = 30)
		String view600() {
			return body("view600");
		}

		@GetMapping("/view-30")
		@CachePage(30)
		String view30(HttpServletResponse response) {
			response.setHeader("Cache-Control", "max-age=600");
			return body("view30");
		}

		@GetMapping("/view-0")
		@CachePage(0)
		String view0() {
			return body("view0");
		}

		@GetMapping("/view-other")
		@CachePage(value = 60, cache = "other", keyPrefix = "pfx")
		String viewOther() {
			return body("other");
		}

		@GetMapping("/never")
		@NeverCache
		String never() {
			return body("never");
		}

		@GetMapping({ "/account", "/account/**", "/account.json" })
		String account(HttpServletRequest request) {
			Object user = request.getSession().getAttribute("user");
			return body("account user=" + user);
		}

		@GetMapping("/strict")
		ResponseEntity<String> strict(@RequestHeader(name = "X-Big", required = false) String big,
				@RequestHeader(name = "X-HTTP-Method-Override", required = false) String override) {
			if ((big != null && big.length() > 8192) || (big != null && big.indexOf(7) >= 0) || override != null) {
				return ResponseEntity.badRequest().body(body("rejected"));
			}
			return ResponseEntity.ok(body("strict"));
		}

		@GetMapping("/greeting")
		@VaryOnHeaders("Accept-Language")
		String greeting(java.util.Locale locale) {
			return body("greeting " + locale.toLanguageTag());
		}

		@GetMapping("/ruled/a")
		String ruled() {
			return body("ruled");
		}

		@GetMapping("/error-status")
		@org.springframework.web.bind.annotation.ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
		String errorStatus() {
			return body("503");
		}

	}

}
