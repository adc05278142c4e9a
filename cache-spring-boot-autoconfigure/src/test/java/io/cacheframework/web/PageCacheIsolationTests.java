package io.cacheframework.web;

import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * Issue 12's never-store rules at the MVC level, for the principal and session sources a real-server test does not
 * reach (client certificate, {@code getRemoteUser}, a {@code SecurityContext} alone, a changed session id). The
 * real-Tomcat proofs are in {@code PageCacheIsolationServerTests}.
 */
class PageCacheIsolationTests {

	private final PageCacheTestSupport support = PageCacheTestSupport.siteWide("isolation-tests");

	@AfterEach
	void clearSecurityContext() {
		SecurityContextHolder.clearContext();
	}

	private MockHttpServletResponse perform(MockHttpServletRequestBuilder request) throws Exception {
		return this.support.mvc.perform(request).andReturn().getResponse();
	}

	private int calls() {
		return this.support.probe.calls.get();
	}

	@Test
	void sessionCreatedDuringTheRequestIsNeverStored() throws Exception {
		// MockMvc writes no JSESSIONID cookie: only the new session tells this visitor apart.
		assertThat(perform(get("/p/session")).getContentAsString()).isEqualTo("session user=null 1");
		assertThat(perform(get("/p/session")).getContentAsString()).isEqualTo("session user=null 2");
	}

	@Test
	void changedSessionIdIsNeverStored() throws Exception {
		MockHttpSession session = new MockHttpSession(null, "before");
		for (int i = 0; i < 2; i++) {
			perform(get("/p/change-session").session(session).with((request) -> {
				request.setRequestedSessionId(session.getId());
				return request;
			}));
		}
		assertThat(calls()).isEqualTo(2);
	}

	@Test
	void pagesForAnyKindOfPrincipalAreNeverStoredUnlessPublic() throws Exception {
		List<MockHttpServletRequestBuilder> principals = List.of(
				get("/p/user").principal(() -> "alice"),
				get("/p/user").with((request) -> {
					request.setRemoteUser("alice");
					return request;
				}),
				get("/p/user").requestAttr("jakarta.servlet.request.X509Certificate", new X509Certificate[0]));
		for (MockHttpServletRequestBuilder alice : principals) {
			int before = calls();
			perform(alice);
			perform(alice);
			assertThat(calls()).isEqualTo(before + 2);
		}
		MockHttpServletResponse shared = perform(get("/p/user?makePublic=true").principal(() -> "alice"));
		assertThat(perform(get("/p/user?makePublic=true")).getContentAsString())
			.isEqualTo(shared.getContentAsString());
	}

	@Test
	void springSecurityContextAloneCountsAsAPrincipal() throws Exception {
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null,
					AuthorityUtils.createAuthorityList("ROLE_USER")));
		perform(get("/p/page"));
		perform(get("/p/page"));
		assertThat(calls()).isEqualTo(2);
		SecurityContextHolder.getContext()
			.setAuthentication(new AnonymousAuthenticationToken("key", "anonymousUser",
					AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
		perform(get("/p/page"));
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 3");
	}

	@Test
	void aPrincipalIsServedOnlyPublicPages() throws Exception {
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 1");
		assertThat(perform(get("/p/page").principal(() -> "alice")).getContentAsString()).isEqualTo("page 2");
		assertThat(perform(get("/p/page")).getContentAsString()).isEqualTo("page 1");
		perform(get("/p/cc?value=public"));
		assertThat(perform(get("/p/cc?value=public").principal(() -> "alice")).getContentAsString())
			.isEqualTo("cc 3");
	}

	@Test
	void getWithABodyIsNeitherServedNorStored() throws Exception {
		assertThat(perform(get("/p/body").content("poison")).getContentAsString()).isEqualTo("body=poison 1");
		assertThat(perform(get("/p/body")).getContentAsString()).isEqualTo("body=null 2");
		assertThat(perform(get("/p/body").content("other")).getContentAsString()).isEqualTo("body=other 3");
		assertThat(perform(get("/p/body")).getContentAsString()).isEqualTo("body=null 2");
	}

	@Test
	void producesConditionMakesAcceptPartOfTheKey() throws Exception {
		MockHttpServletResponse json = perform(get("/p/json").accept("application/json"));
		assertThat(json.getHeader("Vary")).isEqualTo("Accept");
		assertThat(perform(get("/p/json").accept("application/*")).getContentAsString()).endsWith(" 2");
		assertThat(perform(get("/p/json").accept("application/json")).getContentAsString())
			.isEqualTo(json.getContentAsString());
	}

}
