package io.cacheframework.autoconfigure.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.web.CacheControl;
import io.cacheframework.web.CachePage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationProvider;
import org.springframework.security.web.authentication.preauth.RequestHeaderAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, items 1-6: a cached page never crosses users, through a real embedded Tomcat with one
 * {@link HttpClient} per visitor (no cookie handler, so no shared cookie jar), real Spring Session
 * ({@link SessionRepositoryFilter} over a {@link MapSessionRepository}, outside the page-cache filter as in a Spring
 * Session application) and real Spring Security (a pre-authenticated principal from a custom header,
 * {@code @PreAuthorize}). Only {@code @CachePage} handlers are cached here (the site-wide cache is off).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, classes = PageCacheIsolationServerTests.IsolationApp.class,
		properties = { "app.caches.default.location=page-cache-isolation-server-tests",
				"spring.thymeleaf.prefix=classpath:/templates/page-cache/" })
class PageCacheIsolationServerTests {

	@LocalServerPort
	private int port;

	@Autowired
	private Pages pages;

	private HttpResponse<String> visit(String path, String... headers) throws IOException, InterruptedException {
		return visit("GET", HttpRequest.BodyPublishers.noBody(), path, headers);
	}

	/**
	 * One request from a new visitor: a fresh client, so no cookie or connection is shared with anyone.
	 */
	private HttpResponse<String> visit(String method, HttpRequest.BodyPublisher body, String path, String... headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, body);
		if (headers.length > 0) {
			request.headers(headers);
		}
		HttpClient visitor = HttpClient.newHttpClient();
		return visitor.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String token(HttpResponse<String> page) {
		String body = page.body();
		int start = body.indexOf("value=\"") + 7;
		return body.substring(start, body.indexOf('"', start));
	}

	/**
	 * Item 1, Tomcat's own session: the view creates the session while it renders (a deferred CSRF token), so
	 * Tomcat writes {@code JSESSIONID} on its own response object.
	 */
	@Test
	void formWhoseViewCreatesATomcatSessionIsNeverShared() throws Exception {
		HttpResponse<String> alice = visit("/tomcat/form");
		HttpResponse<String> bob = visit("/tomcat/form");
		assertThat(alice.headers().firstValue("Set-Cookie"))
			.hasValueSatisfying((c) -> assertThat(c).startsWith("JSESSIONID="));
		assertThat(token(alice)).hasSize(36);
		assertThat(token(bob)).hasSize(36).isNotEqualTo(token(alice));
		assertThat(bob.headers().firstValue("Set-Cookie"))
			.hasValueSatisfying((c) -> assertThat(c).startsWith("JSESSIONID="));
	}

	/**
	 * Item 1, Spring Session: its filter sits outside the page-cache filter and writes {@code SESSION} only when the
	 * response commits, after the page would have been stored.
	 */
	@Test
	void formWhoseViewCreatesASpringSessionIsNeverShared() throws Exception {
		HttpResponse<String> alice = visit("/spring-session/form");
		HttpResponse<String> bob = visit("/spring-session/form");
		assertThat(alice.headers().firstValue("Set-Cookie"))
			.hasValueSatisfying((c) -> assertThat(c).startsWith("SESSION="));
		assertThat(token(alice)).hasSize(36);
		assertThat(token(bob)).hasSize(36).isNotEqualTo(token(alice));
		assertThat(bob.headers().firstValue("Set-Cookie"))
			.hasValueSatisfying((c) -> assertThat(c).startsWith("SESSION="));
		assertThat(this.pages.count("forms")).isGreaterThanOrEqualTo(2);
	}

	/**
	 * Item 2: the application's own {@code HandlerInterceptor} refuses visitors without the member key; a page
	 * cached for a member must not be served past that check.
	 */
	@Test
	void applicationInterceptorAccessCheckRunsOnCacheHits() throws Exception {
		HttpResponse<String> member = visit("/members/report", "X-Member-Key", "open-sesame");
		assertThat(member.statusCode()).isEqualTo(200);
		assertThat(member.body()).isEqualTo("members' report 1");
		HttpResponse<String> outsider = visit("/members/report");
		assertThat(outsider.statusCode()).isEqualTo(403);
		assertThat(outsider.body()).doesNotContain("members' report");
		HttpResponse<String> memberAgain = visit("/members/report", "X-Member-Key", "open-sesame");
		assertThat(memberAgain.body()).isEqualTo("members' report 1");
		assertThat(memberAgain.headers().firstValue("Age")).isPresent();
	}

	/**
	 * Item 3: a JSON handler and an HTML handler for one path; each representation is cached for the clients that
	 * asked for it.
	 */
	@Test
	void contentNegotiationChoosesTheCachedRepresentation() throws Exception {
		HttpResponse<String> json = visit("/negotiated", "Accept", "application/json");
		assertThat(json.body()).isEqualTo("{\"kind\":\"json\"}");
		HttpResponse<String> html = visit("/negotiated", "Accept", "text/html");
		assertThat(html.headers().firstValue("Content-Type"))
			.hasValueSatisfying((t) -> assertThat(t).startsWith("text/html"));
		assertThat(html.body()).isEqualTo("<p>html</p>");
		assertThat(html.headers().firstValue("Vary")).hasValueSatisfying((v) -> assertThat(v).contains("Accept"));
		HttpResponse<String> jsonAgain = visit("/negotiated", "Accept", "application/json");
		assertThat(jsonAgain.body()).isEqualTo("{\"kind\":\"json\"}");
		assertThat(jsonAgain.headers().firstValue("Age")).isPresent();
		assertThat(visit("/negotiated", "Accept", "text/html").body()).isEqualTo("<p>html</p>");
		assertThat(this.pages.count("negotiated")).isEqualTo(2);
	}

	/**
	 * Item 4: the principal comes from a custom header through Spring Security (no session, no
	 * {@code Authorization}); Bob must never get Alice's account, and an anonymous visitor must meet
	 * {@code @PreAuthorize}, not a cached page.
	 */
	@Test
	void pageRenderedForAnAuthenticatedPrincipalIsNeverShared() throws Exception {
		HttpResponse<String> alice = visit("/secure/account", "X-User", "alice");
		assertThat(alice.body()).isEqualTo("account of alice");
		HttpResponse<String> bob = visit("/secure/account", "X-User", "bob");
		assertThat(bob.body()).isEqualTo("account of bob");
		HttpResponse<String> anonymous = visit("/secure/account");
		assertThat(anonymous.statusCode()).isEqualTo(403);
		assertThat(anonymous.body()).doesNotContain("account of");
	}

	/**
	 * Item 4, the exception: a response the application marks {@code public} is shared, also when a principal
	 * asked for it first.
	 */
	@Test
	void publicPageRenderedForAPrincipalIsShared() throws Exception {
		assertThat(visit("/secure/news", "X-User", "alice").body()).isEqualTo("news 1");
		assertThat(visit("/secure/news", "X-User", "bob").body()).isEqualTo("news 1");
		assertThat(visit("/secure/news").body()).isEqualTo("news 1");
		assertThat(this.pages.count("news")).isEqualTo(1);
	}

	/**
	 * Item 5: a GET with a body must not store its page for clean GETs (cache poisoning), whether the body is
	 * announced with {@code Content-Length} or sent chunked.
	 */
	@Test
	void getWithABodyNeverPoisonsTheCleanPage() throws Exception {
		HttpResponse<String> poisoned = visit("GET", HttpRequest.BodyPublishers.ofString("poison"), "/echo-body");
		assertThat(poisoned.body()).isEqualTo("body=poison");
		HttpResponse<String> clean = visit("/echo-body");
		assertThat(clean.body()).isEqualTo("body=null");
		HttpResponse<String> chunked = visit("GET",
				HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString("chunked")),
				"/echo-body?c");
		assertThat(chunked.body()).isEqualTo("body=chunked");
		assertThat(visit("/echo-body?c").body()).isEqualTo("body=null");
		// Clean GETs are still cached.
		assertThat(visit("/echo-body").headers().firstValue("Age")).isPresent();
	}

	/**
	 * Item 6: a request that cannot be cached (no page caching applies to its handler) is not buffered: a flush
	 * commits the response at once.
	 */
	@Test
	void uncacheableResponsesAreNotBuffered() throws Exception {
		assertThat(visit("/plain/flush").body()).isEqualTo("first;committed=true");
		assertThat(visit("POST", HttpRequest.BodyPublishers.noBody(), "/cached/flush").body())
			.isEqualTo("first;committed=true");
		// A cacheable request is buffered (headers can still change) and its page is cached.
		assertThat(visit("/cached/flush").body()).isEqualTo("first;committed=false");
		assertThat(visit("/cached/flush").headers().firstValue("Age")).isPresent();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSecurity
	@EnableMethodSecurity
	@Import(Pages.class)
	static class IsolationApp {

		/**
		 * Spring Session as an application installs it: the real filter, at its default order (outside the page
		 * cache filter), here only under {@code /spring-session/} so the other pages use Tomcat's sessions.
		 */
		@Bean
		FilterRegistrationBean<SessionRepositoryFilter<MapSession>> springSessionRepositoryFilter() {
			SessionRepositoryFilter<MapSession> filter = new SessionRepositoryFilter<>(
					new MapSessionRepository(new ConcurrentHashMap<>()));
			FilterRegistrationBean<SessionRepositoryFilter<MapSession>> registration = new FilterRegistrationBean<>(
					filter);
			registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER);
			registration.addUrlPatterns("/spring-session/*");
			return registration;
		}

		/**
		 * A pre-authenticated principal from {@code X-User} (as behind an authenticating proxy), stateless, and no
		 * {@code Cache-Control: no-store} from Spring Security, as an application that caches pages configures it.
		 */
		@Bean
		SecurityFilterChain secureChain(HttpSecurity http) throws Exception {
			PreAuthenticatedAuthenticationProvider provider = new PreAuthenticatedAuthenticationProvider();
			provider.setPreAuthenticatedUserDetailsService(
					(token) -> User.withUsername(token.getName()).password("").roles("USER").build());
			RequestHeaderAuthenticationFilter fromHeader = new RequestHeaderAuthenticationFilter();
			fromHeader.setPrincipalRequestHeader("X-User");
			fromHeader.setExceptionIfHeaderMissing(false);
			fromHeader.setAuthenticationManager(new ProviderManager(provider));
			fromHeader.setSecurityContextRepository(new RequestAttributeSecurityContextRepository());
			return http.securityMatcher("/secure/**")
				.addFilter(fromHeader)
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.headers((headers) -> headers.cacheControl((cacheControl) -> cacheControl.disable()))
				.build();
		}

		@Bean
		WebMvcConfigurer membersOnly() {
			return new WebMvcConfigurer() {

				@Override
				public void addInterceptors(InterceptorRegistry registry) {
					registry.addInterceptor(new HandlerInterceptor() {

						@Override
						public boolean preHandle(HttpServletRequest request, HttpServletResponse response,
								Object handler) throws IOException {
							if (!"open-sesame".equals(request.getHeader("X-Member-Key"))) {
								response.sendError(403);
								return false;
							}
							return true;
						}

					}).addPathPatterns("/members/**");
				}

			};
		}

	}

	/**
	 * The pages; its counters are read through {@link #count(String)} because method security proxies the bean.
	 */
	@Controller
	static class Pages {

		final AtomicInteger forms = new AtomicInteger();

		final AtomicInteger members = new AtomicInteger();

		final AtomicInteger negotiated = new AtomicInteger();

		final AtomicInteger news = new AtomicInteger();

		public int count(String name) {
			return switch (name) {
				case "forms" -> this.forms.get();
				case "negotiated" -> this.negotiated.get();
				case "news" -> this.news.get();
				default -> throw new IllegalArgumentException(name);
			};
		}

		@GetMapping({ "/tomcat/form", "/spring-session/form" })
		@CachePage(60)
		String form(HttpServletRequest request, Model model) {
			this.forms.incrementAndGet();
			model.addAttribute("csrf", new DeferredToken(request));
			return "form";
		}

		@GetMapping("/members/report")
		@CachePage(60)
		@ResponseBody
		String membersReport() {
			return "members' report " + this.members.incrementAndGet();
		}

		@GetMapping(path = "/negotiated", produces = MediaType.APPLICATION_JSON_VALUE)
		@CachePage(60)
		@ResponseBody
		String negotiatedJson() {
			this.negotiated.incrementAndGet();
			return "{\"kind\":\"json\"}";
		}

		@GetMapping(path = "/negotiated", produces = MediaType.TEXT_HTML_VALUE)
		@CachePage(60)
		@ResponseBody
		String negotiatedHtml() {
			this.negotiated.incrementAndGet();
			return "<p>html</p>";
		}

		@GetMapping("/secure/account")
		@CachePage(60)
		@PreAuthorize("isAuthenticated()")
		@ResponseBody
		String account(Principal principal) {
			return "account of " + principal.getName();
		}

		@GetMapping("/secure/news")
		@CachePage(60)
		@CacheControl(cachePublic = true)
		@ResponseBody
		String news() {
			return "news " + this.news.incrementAndGet();
		}

		@GetMapping("/echo-body")
		@CachePage(60)
		@ResponseBody
		String echoBody(@RequestBody(required = false) String body) {
			return "body=" + body;
		}

		@GetMapping("/plain/flush")
		void plainFlush(HttpServletResponse response) throws IOException {
			flush(response);
		}

		@org.springframework.web.bind.annotation.RequestMapping("/cached/flush")
		@CachePage(60)
		void cachedFlush(HttpServletResponse response) throws IOException {
			flush(response);
		}

		private static void flush(HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.getWriter().write("first;");
			response.flushBuffer();
			response.getWriter().write("committed=" + response.isCommitted());
		}

	}

	/**
	 * A CSRF-style token that creates the session only when the view reads it, as Spring Security's deferred CSRF
	 * token does.
	 */
	public static final class DeferredToken {

		private final HttpServletRequest request;

		DeferredToken(HttpServletRequest request) {
			this.request = request;
		}

		public String getToken() {
			HttpSession session = this.request.getSession(true);
			Object token = session.getAttribute("token");
			if (token == null) {
				token = UUID.randomUUID().toString();
				session.setAttribute("token", token);
			}
			return (String) token;
		}

	}

}
