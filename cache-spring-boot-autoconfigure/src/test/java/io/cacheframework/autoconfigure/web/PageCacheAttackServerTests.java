package io.cacheframework.autoconfigure.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.backend.memcached.MemcachedServerAccess;
import io.cacheframework.web.CachePage;
import io.cacheframework.web.NeverCache;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY.md §7 A7, E1, E4, E7, E8, E9 and E10 against the site-wide page cache on a real embedded Tomcat,
 * through the auto-configuration, with the pages stored in a real memcached (the {@code default} alias). Requests
 * go through the JDK's {@link HttpClient} without a cookie handler (no cookie jar is shared: identities travel as
 * explicit {@code Cookie} headers), and through a raw socket where that client refuses to send a header
 * ({@code Host}, control characters).
 *
 * <p>Every attack is made on a URL nobody has requested yet, so that the attacker's response is the one that would
 * be stored, and each is followed by a victim's clean request for the same URL.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, classes = PageCacheAttackServerTests.AttackApp.class,
		properties = { "app.cache-middleware.enabled=true", "app.caches.default.backend=memcached",
				"app.caches.default.options.operation-timeout=1s", "app.caches.bounded.backend=locmem",
				"app.caches.bounded.location=page-cache-attack-bounded", "app.caches.bounded.options.max-entries=100",
				"management.endpoints.web.exposure.include=cachebackends" })
// Closed after the class: its memcached stops, and a cached context would keep a client (and its I/O thread)
// reconnecting to it for the rest of the JVM.
@DirtiesContext
class PageCacheAttackServerTests {

	static final MemcachedServerAccess memcached = MemcachedServerAccess.start();

	/** No cookie handler: nothing is shared between requests but what a test sends itself. */
	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private Pages pages;

	@Autowired
	private Lookups lookups;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", memcached::location);
	}

	@AfterAll
	static void stopMemcached() {
		memcached.close();
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static boolean fromCache(HttpResponse<String> response) {
		return response.headers().firstValue("Age").isPresent();
	}

	private static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * A7 (CVE-2020-13254 class): a query string carrying memcached commands reaches the page cache (whose keys are
	 * hashes) and a {@code @Cacheable} method keyed on it (whose keys are hashed when they hold whitespace or
	 * control characters). Neither sends it to memcached as a command: no {@code pwn} item appears, a
	 * {@code flush_all} does not flush, and every response is the page of its own query.
	 */
	@Test
	void a7CommandsInAQueryStringNeverReachMemcached() throws Exception {
		get("/search?q=stable");
		assertThat(fromCache(get("/search?q=stable"))).isTrue();
		List<String> injections = List.of("x\r\nset pwn 0 0 1\r\nX", "a b", "x\r\nflush_all", "x\nset pwn 0 0 1\nX",
				"x\u0000y", "€ \t\u007f");
		for (String q : injections) {
			List<String> pages = new ArrayList<>();
			List<String> lookups = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				HttpResponse<String> page = get("/search?q=" + encode(q));
				assertThat(page.statusCode()).as("page for %s", q).isEqualTo(200);
				assertThat(page.body()).as("page for %s", q).startsWith("results for [" + q + "] ");
				pages.add(page.body());
				HttpResponse<String> lookup = get("/lookup?q=" + encode(q));
				assertThat(lookup.statusCode()).as("lookup of %s", q).isEqualTo(200);
				assertThat(lookup.body()).as("lookup of %s", q).startsWith("value of [" + q + "] #");
				lookups.add(lookup.body());
			}
			assertThat(pages.get(1)).as("cached page for %s", q).isEqualTo(pages.get(0));
			assertThat(lookups.get(1)).as("cached lookup of %s", q).isEqualTo(lookups.get(0));
			assertThat(memcached.holds("pwn")).as("after %s", q).isFalse();
		}
		// The pages and lookups were really cached (second requests did not run the handlers), and the injected
		// flush_all flushed nothing: the first page is still a hit.
		assertThat(this.pages.search.get()).isEqualTo(1 + injections.size());
		assertThat(this.lookups.calls()).isEqualTo(injections.size());
		assertThat(fromCache(get("/search?q=stable"))).isTrue();
		assertThat(memcached.holds("pwn")).isFalse();
	}

	private static final List<String[]> UNKEYED_HEADERS = List.of(new String[] { "X-Forwarded-Host", "evil.example" },
			new String[] { "X-Forwarded-Scheme", "nothttps" }, new String[] { "X-Forwarded-Proto", "https" },
			new String[] { "X-Forwarded-Port", "1337" }, new String[] { "X-Forwarded-Prefix", "/evil" },
			new String[] { "Forwarded", "host=evil.example;proto=https" },
			new String[] { "X-Original-URL", "/evil" }, new String[] { "X-Rewrite-URL", "/evil" },
			new String[] { "X-Host", "evil.example" });

	/**
	 * E1: a page that reflects the URL it was requested under ({@code rel=canonical}), first requested by an
	 * attacker with one unkeyed header (or a foreign {@code Host}), then by a victim: the victim's page is the clean
	 * one. Without forwarded-header support the forwarded headers are never read; {@code Host} is in the key.
	 */
	@Test
	void e1UnkeyedHeadersAndAForeignHostNeverPoisonThePage() throws Exception {
		int round = 0;
		for (int repeat = 0; repeat < 5; repeat++) {
			for (String[] header : UNKEYED_HEADERS) {
				String path = "/canonical?round=" + round++;
				get(path, header[0], header[1]);
				HttpResponse<String> victim = get(path);
				assertThat(victim.body()).as("after %s", header[0]).isEqualTo(canonical(path));
				// The attacker's page was stored (the header changed nothing) and is what the victim got.
				assertThat(fromCache(victim)).as("after %s", header[0]).isTrue();
			}
			String path = "/canonical?round=" + round++;
			RawResponse attacker = RawResponse.send(this.port, "GET " + path + " HTTP/1.0\r\nHost: evil.example\r\n\r\n");
			assertThat(attacker.body()).contains("http://evil.example/");
			HttpResponse<String> victim = get(path);
			assertThat(victim.body()).isEqualTo(canonical(path));
			assertThat(fromCache(victim)).as("a foreign Host has its own entry").isFalse();
		}
	}

	private String canonical(String path) {
		return "<link rel=\"canonical\" href=\"" + url(path) + "\">";
	}

	/**
	 * E4 (CVE-2026-8404, CVE-2026-6907, CVE-2026-48587 classes): responses that forbid storing, in any letter case
	 * and spacing, are rendered on every request; a {@code Vary} split over two header lines and padded with spaces
	 * keys each value of the header it names.
	 */
	@Test
	void e4UncacheableResponsesInAnySpellingAreRenderedEveryTime() throws Exception {
		List<List<String>> cacheControls = List.of(List.of("Private"), List.of("NO-STORE"), List.of(" no-cache "),
				List.of("max-age=0"), List.of("s-maxage=0"), List.of("private=\"Set-Cookie\""),
				List.of("public", "No-Store"));
		for (List<String> values : cacheControls) {
			assertRenderedTwice("/cc?" + query("value", values), "Cache-Control " + values);
		}
		List<List<String>> varies = List.of(List.of("*"), List.of(" * "), List.of("Accept, *"), List.of("Accept", "*"));
		for (List<String> values : varies) {
			assertRenderedTwice("/vary?" + query("value", values), "Vary " + values);
		}
		// Vary on two lines, " Accept-Language" and "X-Tenant ": each tenant its own page, each cached.
		for (int i = 0; i < 3; i++) {
			for (String tenant : List.of("t1", "t2")) {
				assertThat(get("/tenant", "X-Tenant", tenant).body()).startsWith("tenant=" + tenant + " ");
			}
		}
		assertThat(get("/tenant").body()).startsWith("tenant=null ");
		assertThat(this.pages.tenant.get()).isEqualTo(3);
	}

	private static String query(String name, List<String> values) {
		return String.join("&", values.stream().map((value) -> name + "=" + encode(value)).toList());
	}

	private void assertRenderedTwice(String path, String what) throws Exception {
		int before = this.pages.directives.get();
		HttpResponse<String> first = get(path);
		HttpResponse<String> second = get(path);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(second.body()).as(what).isNotEqualTo(first.body());
		assertThat(this.pages.directives.get()).as(what).isEqualTo(before + 2);
	}

	/**
	 * E7, cache-poisoned denial of service (cpdos.org: header oversize, meta character, method override): a request
	 * the server rejects, or one carrying a method override, is made first on a fresh URL; the clean request after
	 * it gets the page, never the error.
	 */
	@Test
	void e7RejectedRequestsNeverPoisonTheCleanPage() throws Exception {
		String oversize = "/cpdos?attack=oversize";
		assertThat(get(oversize, "X-Oversized", "x".repeat(16 * 1024)).statusCode()).isEqualTo(400);
		String metaCharacter = "/cpdos?attack=meta";
		RawResponse rejected = RawResponse.send(this.port,
				"GET " + metaCharacter + " HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Meta: a\u0007b\r\n\r\n");
		assertThat(rejected.status()).isEqualTo(400);
		String override = "/cpdos?attack=override";
		get(override, "X-HTTP-Method-Override", "DELETE");
		for (String path : List.of(oversize, metaCharacter, override)) {
			HttpResponse<String> clean = get(path);
			assertThat(clean.statusCode()).as(path).isEqualTo(200);
			assertThat(clean.body()).as(path).startsWith("cpdos page ");
		}
		// Errors are not stored: a failing page fails, and then renders, on every request.
		assertThat(get("/flaky?n=1").statusCode()).isEqualTo(500);
		assertThat(get("/flaky?n=1").statusCode()).isEqualTo(200);
	}

	/**
	 * E8, web cache deception ("Cached and Confused" path confusion): a signed-in user requests their account page
	 * under static-looking URLs; nobody else is ever served it.
	 */
	@Test
	void e8PathConfusionNeverServesASignedInPageToOthers() throws Exception {
		HttpResponse<String> login = get("/login?user=alice");
		String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
		List<String> paths = List.of("/account/x.css", "/account;x.css", "/account.css", "/account/", "/account.json",
				"/account/%2e%2e/account", "/account", "/account%2Fx.css");
		int servedToAlice = 0;
		for (String path : paths) {
			HttpResponse<String> alice = get(path, "Cookie", cookie);
			if (alice.statusCode() == 200) {
				assertThat(alice.body()).as(path).startsWith("account of alice");
				servedToAlice++;
			}
		}
		// Most of the confusing URLs really reach the account page: the attack is real.
		assertThat(servedToAlice).isGreaterThanOrEqualTo(5);
		String bobCookie = get("/login?user=bob").headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
		for (int i = 0; i < 2; i++) {
			for (String path : paths) {
				assertThat(get(path).body()).as("anonymous, %s", path).doesNotContain("alice");
				assertThat(get(path, "Cookie", bobCookie).body()).as("bob, %s", path).doesNotContain("alice");
			}
		}
	}

	/**
	 * E9, lite: for random path and query variants (reordered and duplicated parameters, {@code ;} cloaking,
	 * percent-encodings, tracking parameters), the cached handler's response equals the uncached handler's response
	 * for the same variant, each variant requested several times so that most cached responses are hits.
	 */
	@Test
	void e9CachedPagesEqualUncachedPagesForEveryVariant() throws Exception {
		Random random = new Random(9);
		List<String> variants = new ArrayList<>();
		String[] suffixes = { "", "x", "x;jsessionid=1", "X", "x/", "%78", "x;a=b", "%C3%A9" };
		String[] names = { "a", "b", "A", "utm_source", "a%5B%5D", "%61", "a;b" };
		String[] values = { "1", "2", "%31", "x;y", "", "+", "%2B", "%26", "1&a=2" };
		while (variants.size() < 60) {
			StringBuilder query = new StringBuilder();
			for (int i = random.nextInt(4); i >= 0; i--) {
				query.append((query.length() == 0) ? "" : (random.nextInt(5) == 0) ? ";" : "&")
					.append(names[random.nextInt(names.length)]);
				if (random.nextInt(6) != 0) {
					query.append('=').append(values[random.nextInt(values.length)]);
				}
			}
			variants.add(suffixes[random.nextInt(suffixes.length)] + "?" + query);
		}
		int hits = 0;
		for (int request = 0; request < 240; request++) {
			String variant = variants.get(random.nextInt(variants.size()));
			HttpResponse<String> cached = get("/e9/cached/" + variant);
			HttpResponse<String> live = get("/e9/live/" + variant);
			assertThat(cached.statusCode()).as(variant).isEqualTo(live.statusCode());
			assertThat(cached.body()).as(variant).isEqualTo(live.body());
			hits += fromCache(cached) ? 1 : 0;
		}
		assertThat(hits).as("cached responses that were hits").isGreaterThan(120);
	}

	/**
	 * E10, count-based ("web cache overflow"): a thousand requests with unique cache-busting query strings, every
	 * tenth one for a hot page, into a local-memory alias of 100 entries. The store stays within its bound
	 * (evicting), and the hot page stays a hit.
	 */
	@Test
	void e10UniqueUrlsKeepTheStoreBoundedAndTheHotPageHot() throws Exception {
		int hotHits = 0;
		for (int request = 1; request <= 1000; request++) {
			if (request % 10 == 0) {
				hotHits += fromCache(get("/bounded?page=hot")) ? 1 : 0;
			}
			else {
				assertThat(get("/bounded?cb=" + UUID.randomUUID()).statusCode()).isEqualTo(200);
			}
		}
		assertThat(hotHits).as("hot page hits of 100").isGreaterThanOrEqualTo(90);
		String json = get("/actuator/cachebackends/bounded").body();
		assertThat(((Number) JsonPath.read(json, "$.stats.entries")).longValue()).isLessThanOrEqualTo(100);
		assertThat(((Number) JsonPath.read(json, "$.stats.evictions")).longValue()).isGreaterThan(500);
	}

	/**
	 * A response read from a raw socket, for requests the JDK's client will not send; HTTP/1.0, so the server
	 * closes the connection after it and sends no chunked body.
	 */
	record RawResponse(int status, String body) {

		static RawResponse send(int port, String request) throws IOException {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
				socket.setSoTimeout(10_000);
				OutputStream out = socket.getOutputStream();
				out.write(request.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				InputStream in = socket.getInputStream();
				ByteArrayOutputStream reply = new ByteArrayOutputStream();
				in.transferTo(reply);
				String text = reply.toString(StandardCharsets.UTF_8);
				int status = Integer.parseInt(text.substring(9, 12));
				int bodyStart = text.indexOf("\r\n\r\n");
				return new RawResponse(status, (bodyStart < 0) ? "" : text.substring(bodyStart + 4));
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	@Import({ Pages.class, Lookups.class })
	static class AttackApp {

	}

	@Service
	static class Lookups {

		final AtomicInteger calls = new AtomicInteger();

		@Cacheable("lookups")
		public String lookup(String q) {
			return "value of [" + q + "] #" + this.calls.incrementAndGet();
		}

		/** Read through a method: the bean is a caching proxy. */
		public int calls() {
			return this.calls.get();
		}

	}

	@RestController
	static class Pages {

		final AtomicInteger search = new AtomicInteger();

		final AtomicInteger directives = new AtomicInteger();

		final AtomicInteger tenant = new AtomicInteger();

		final AtomicInteger flaky = new AtomicInteger();

		private final Lookups lookups;

		Pages(Lookups lookups) {
			this.lookups = lookups;
		}

		@GetMapping("/search")
		String search(@RequestParam String q) {
			return "results for [" + q + "] " + this.search.incrementAndGet();
		}

		@GetMapping("/lookup")
		@NeverCache
		String lookup(@RequestParam String q) {
			return this.lookups.lookup(q);
		}

		@GetMapping("/canonical")
		String canonical(HttpServletRequest request) {
			String url = request.getRequestURL() + ((request.getQueryString() != null) ? "?" + request.getQueryString() : "");
			return "<link rel=\"canonical\" href=\"" + url + "\">";
		}

		@GetMapping("/cc")
		String cacheControl(HttpServletRequest request, HttpServletResponse response) {
			// One header line per parameter, as given (a List parameter would be split on commas).
			for (String value : request.getParameterValues("value")) {
				response.addHeader("Cache-Control", value);
			}
			return "directive " + this.directives.incrementAndGet();
		}

		@GetMapping("/vary")
		String vary(HttpServletRequest request, HttpServletResponse response) {
			for (String value : request.getParameterValues("value")) {
				response.addHeader("Vary", value);
			}
			return "directive " + this.directives.incrementAndGet();
		}

		@GetMapping("/tenant")
		String tenant(HttpServletRequest request, HttpServletResponse response) {
			response.addHeader("Vary", " Accept-Language");
			response.addHeader("Vary", "X-Tenant ");
			return "tenant=" + request.getHeader("X-Tenant") + " " + this.tenant.incrementAndGet();
		}

		@GetMapping("/cpdos")
		String cpdos() {
			return "cpdos page " + UUID.randomUUID();
		}

		@GetMapping("/flaky")
		String flaky() {
			if (this.flaky.getAndIncrement() == 0) {
				throw new IllegalStateException("first call fails");
			}
			return "recovered";
		}

		@GetMapping("/login")
		String login(@RequestParam String user, HttpSession session) {
			session.setAttribute("user", user);
			return "signed in as " + user;
		}

		@GetMapping({ "/account", "/account/**", "/account.css", "/account.json" })
		String account(HttpServletRequest request) {
			HttpSession session = request.getSession(false);
			Object user = (session != null) ? session.getAttribute("user") : null;
			return (user != null) ? "account of " + user + " " + UUID.randomUUID() : "please sign in";
		}

		@GetMapping("/e9/cached/**")
		String e9Cached(HttpServletRequest request) {
			return describe(request, "/e9/cached/");
		}

		@GetMapping("/e9/live/**")
		@NeverCache
		String e9Live(HttpServletRequest request) {
			return describe(request, "/e9/live/");
		}

		private static String describe(HttpServletRequest request, String prefix) {
			Map<String, List<String>> parameters = new TreeMap<>();
			request.getParameterMap().forEach((name, values) -> parameters.put(name, List.of(values)));
			return "path=" + request.getRequestURI().substring(prefix.length()) + " query=" + request.getQueryString()
					+ " parameters=" + parameters;
		}

		@GetMapping("/bounded")
		@CachePage(value = 600, cache = "bounded")
		String bounded(@RequestParam(required = false) String cb) {
			return "bounded " + cb;
		}

	}

}
