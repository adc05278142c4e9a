package io.cacheframework.web;

import java.net.URI;
import java.util.List;
import java.util.Random;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.filter.ForwardedHeaderFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;

/**
 * RELIABILITY §7 E1-E8: nobody is served another user's page, unkeyed headers cannot poison the cache, and error,
 * streaming and oversized responses are never stored.
 */
class PageCacheSecurityTests {

	private static final List<String[]> UNKEYED_HEADERS = List.of(new String[] { "X-Forwarded-Host", "evil.example" },
			new String[] { "X-Forwarded-Scheme", "nothttps" }, new String[] { "X-Forwarded-Proto", "https" },
			new String[] { "X-Forwarded-Port", "1337" }, new String[] { "X-Forwarded-Prefix", "/evil" },
			new String[] { "Forwarded", "host=evil.example;proto=https" },
			new String[] { "X-Original-URL", "/admin" }, new String[] { "X-Rewrite-URL", "/admin" },
			new String[] { "X-Host", "evil.example" }, new String[] { "Host", "evil.example" });

	private final PageCacheTestSupport support = PageCacheTestSupport.siteWide("security-tests");

	private static String body(MockMvc mvc, MockHttpServletRequestBuilder request) throws Exception {
		return mvc.perform(request).andReturn().getResponse().getContentAsString();
	}

	@Test
	void e1UnkeyedHeadersCannotPoisonTheCache() throws Exception {
		String baseline = body(this.support.mvc, get("/p/host"));
		assertThat(baseline).contains("http://localhost/p/host");
		for (int round = 0; round < 20; round++) {
			for (String[] header : UNKEYED_HEADERS) {
				body(this.support.mvc, get("/p/host?round=" + round).header(header[0], header[1]));
				assertThat(body(this.support.mvc, get("/p/host?round=" + round)))
					.as("after %s", header[0])
					.doesNotContain("evil")
					.contains("http://localhost/p/host");
			}
		}
		assertThat(body(this.support.mvc, get("/p/host"))).isEqualTo(baseline);
	}

	@Test
	void e1TrustedForwardedHostIsPartOfTheKey() throws Exception {
		PageCacheTestSupport trusted = new PageCacheTestSupport("forwarded",
				PageCacheSettings.siteWide("default", "", 600), List.of(), -1, null, List.of(),
				new ForwardedHeaderFilter());
		String forwarded = body(trusted.mvc, get("/p/host").header("X-Forwarded-Host", "a.example"));
		assertThat(forwarded).contains("http://a.example/p/host");
		assertThat(body(trusted.mvc, get("/p/host"))).contains("http://localhost/p/host");
		assertThat(body(trusted.mvc, get("/p/host").header("X-Forwarded-Host", "a.example"))).isEqualTo(forwarded);
		assertThat(trusted.probe.calls.get()).isEqualTo(2);
	}

	@Test
	void e1HostsOutsideTheAllowListAreNeverCached() throws Exception {
		PageCacheTestSupport allowList = new PageCacheTestSupport("allowed-hosts",
				PageCacheSettings.siteWide("default", "", 600), List.of(), -1, null, List.of("localhost"));
		body(allowList.mvc, get("/p/host").header("Host", "evil.example"));
		body(allowList.mvc, get("/p/host").header("Host", "evil.example"));
		assertThat(allowList.probe.calls.get()).isEqualTo(2);
		body(allowList.mvc, get("/p/host"));
		body(allowList.mvc, get("/p/host"));
		assertThat(allowList.probe.calls.get()).isEqualTo(3);
	}

	@Test
	void e2NoUsersPageIsServedToAnotherUser() throws Exception {
		MockHttpSession sessionA = new MockHttpSession();
		sessionA.setAttribute("user", "A");
		MockHttpSession sessionB = new MockHttpSession();
		sessionB.setAttribute("user", "B");
		Random random = new Random(42);
		for (int i = 0; i < 300; i++) {
			switch (random.nextInt(5)) {
				case 0 -> assertThat(body(this.support.mvc,
						get("/p/session").session(sessionA).cookie(new Cookie("JSESSIONID", "a"))))
					.contains("user=A");
				case 1 -> assertThat(body(this.support.mvc,
						get("/p/session").session(sessionB).cookie(new Cookie("JSESSIONID", "b"))))
					.contains("user=B");
				case 2 -> assertThat(body(this.support.mvc, get("/p/session"))).contains("user=null");
				case 3 -> assertThat(body(this.support.mvc, get("/p/user").header("Authorization", "Bearer A")))
					.contains("user=Bearer A");
				default -> assertThat(body(this.support.mvc, get("/p/user").header("Authorization", "Bearer B")))
					.contains("user=Bearer B");
			}
		}
		MockHttpServletResponse pageA = this.support.mvc
			.perform(get("/p/session").session(sessionA).cookie(new Cookie("JSESSIONID", "a")))
			.andReturn()
			.getResponse();
		assertThat(pageA.getHeader("Vary")).isEqualTo("Cookie");
	}

	@Test
	void e3SessionOrCsrfCookieResponsesAreNeverShared() throws Exception {
		MockHttpServletResponse first = this.support.mvc.perform(get("/p/cookie").cookie(new Cookie("_ga", "1")))
			.andReturn()
			.getResponse();
		MockHttpServletResponse second = this.support.mvc.perform(get("/p/cookie")).andReturn().getResponse();
		assertThat(first.getCookie("csrftoken").getValue()).isEqualTo("token-0");
		assertThat(second.getCookie("csrftoken").getValue()).isEqualTo("token-1");
		MockHttpServletResponse varying = this.support.mvc
			.perform(get("/p/cookie?vary=true").cookie(new Cookie("_ga", "1")))
			.andReturn()
			.getResponse();
		MockHttpServletResponse varyingAgain = this.support.mvc
			.perform(get("/p/cookie?vary=true").cookie(new Cookie("_ga", "1")))
			.andReturn()
			.getResponse();
		assertThat(varying.getCookie("csrftoken").getValue())
			.isNotEqualTo(varyingAgain.getCookie("csrftoken").getValue());
		assertThat(this.support.probe.calls.get()).isEqualTo(4);
	}

	@Test
	void e4UncacheableDirectivesInAnySpellingAreNeverServedFromTheCache() throws Exception {
		for (String value : List.of("Private", "NO-STORE", " no-cache ", "max-age=0", "s-maxage=0")) {
			int before = this.support.probe.calls.get();
			body(this.support.mvc, get("/p/cc?value={v}", value));
			body(this.support.mvc, get("/p/cc?value={v}", value));
			assertThat(this.support.probe.calls.get()).as(value).isEqualTo(before + 2);
		}
		for (List<String> vary : List.of(List.of("*"), List.of("Accept", "*"), List.of(" * "))) {
			int before = this.support.probe.calls.get();
			String query = String.join("&", vary.stream().map((v) -> "value=" + v.replace(" ", "%20")).toList());
			body(this.support.mvc, get(URI.create("/p/vary?" + query)));
			body(this.support.mvc, get(URI.create("/p/vary?" + query)));
			assertThat(this.support.probe.calls.get()).as(vary.toString()).isEqualTo(before + 2);
		}
	}

	@Test
	void e5EveryDistinctVariedInputGetsItsOwnEntry() throws Exception {
		assertThat(body(this.support.mvc, get("/p/echo"))).startsWith("tenant=null ");
		assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", ""))).startsWith("tenant= ");
		assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", "X"))).startsWith("tenant=X ");
		assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", "Y"))).startsWith("tenant=Y ");
		assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", "a,b"))).startsWith("tenant=a,b ");
		// Two header lines mean the same as one comma-joined line (RFC 9110 §5.3); the handler sees "a,b" too.
		assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", "a", "b"))).startsWith("tenant=a,b ");
		assertThat(this.support.probe.calls.get()).isEqualTo(5);
		for (int i = 0; i < 50; i++) {
			String tenant = (i % 2 == 0) ? "X" : "Y";
			assertThat(body(this.support.mvc, get("/p/echo").header("X-Tenant", tenant)))
				.startsWith("tenant=" + tenant + " ");
		}
		assertThat(body(this.support.mvc, get("/p/echo"))).startsWith("tenant=null ");
	}

	@Test
	void e6HeadNeverClobbersTheGetEntry() throws Exception {
		MockHttpServletResponse head = this.support.mvc.perform(head("/p/page")).andReturn().getResponse();
		assertThat(head.getContentAsByteArray()).isEmpty();
		MockHttpServletResponse get = this.support.mvc.perform(get("/p/page")).andReturn().getResponse();
		assertThat(get.getContentAsString()).isEqualTo("page 2");
		assertThat(get.getContentLength()).isEqualTo(6);
		MockHttpServletResponse warmHead = this.support.mvc.perform(head("/p/page")).andReturn().getResponse();
		assertThat(warmHead.getContentAsByteArray()).isEmpty();
		assertThat(warmHead.getContentLength()).isEqualTo(6);
		assertThat(this.support.mvc.perform(get("/p/page")).andReturn().getResponse().getContentAsString())
			.isEqualTo("page 2");
		assertThat(this.support.probe.calls.get()).isEqualTo(2);
	}

	@Test
	void e7ErrorsStreamsAndOversizedBodiesAreNeverStored() throws Exception {
		PageCacheTestSupport limited = new PageCacheTestSupport("e7", PageCacheSettings.siteWide("default", "", 600),
				List.of(), 1024 * 1024);
		for (int code : new int[] { 500, 503, 404, 301, 206 }) {
			limited.mvc.perform(get("/p/status/" + code));
			assertThat(limited.mvc.perform(get("/p/status/" + code)).andReturn().getResponse().getStatus())
				.isEqualTo(code);
		}
		for (String path : List.of("/p/stream", "/p/sse")) {
			for (int i = 0; i < 2; i++) {
				MvcResult started = limited.mvc.perform(get(path)).andReturn();
				limited.mvc.perform(asyncDispatch(started));
			}
		}
		for (int i = 0; i < 2; i++) {
			assertThat(limited.mvc.perform(get("/p/big?size=" + (5 * 1024 * 1024))).andReturn().getResponse()
				.getContentAsByteArray()).hasSize(5 * 1024 * 1024);
		}
		assertThat(limited.probe.calls.get()).isEqualTo(10 + 4 + 2);
		// CPDoS: requests the application rejects must not poison the clean page.
		limited.mvc.perform(get("/p/strict").header("X-Big", "x".repeat(16 * 1024)));
		limited.mvc.perform(get("/p/strict").header("X-Big", "a\u0007b"));
		limited.mvc.perform(get("/p/strict").header("X-HTTP-Method-Override", "DELETE"));
		MockHttpServletResponse clean = limited.mvc.perform(get("/p/strict")).andReturn().getResponse();
		assertThat(clean.getStatus()).isEqualTo(200);
		assertThat(clean.getContentAsString()).startsWith("strict ");
		assertThat(limited.mvc.perform(get("/p/strict")).andReturn().getResponse().getContentAsString())
			.isEqualTo(clean.getContentAsString());
	}

	@Test
	void e8PathConfusionNeverServesALoggedInPageToAnonymousUsers() throws Exception {
		MockHttpSession sessionA = new MockHttpSession();
		sessionA.setAttribute("user", "A");
		List<String> paths = List.of("/p/account/x.css", "/p/account;x.css", "/p/account%2Fx.css", "/p/account/",
				"/p/account.json", "/p/account");
		for (String path : paths) {
			this.support.mvc.perform(get(URI.create(path)).session(sessionA).cookie(new Cookie("JSESSIONID", "a")));
		}
		for (String path : paths) {
			MockHttpServletResponse anonymous = this.support.mvc.perform(get(URI.create(path))).andReturn()
				.getResponse();
			assertThat(anonymous.getContentAsString()).as(path).doesNotContain("user=A");
		}
	}

}
