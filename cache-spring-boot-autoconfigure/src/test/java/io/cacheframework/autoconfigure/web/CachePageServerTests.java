package io.cacheframework.autoconfigure.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.web.CachePage;
import io.cacheframework.web.NeverCache;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The site-wide interceptor pair on a real embedded Tomcat through the auto-configuration, with a real HTTP client:
 * {@code @ResponseBody}, Thymeleaf views and static resources are cached once rendered; HEAD, sessions, errors,
 * server-sent events and oversized pages behave as on the wire.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, classes = CachePageServerTests.ServerApp.class,
		properties = { "app.cache-middleware.enabled=true", "app.cache-middleware.max-size=64KB",
				"app.caches.default.location=page-cache-server-tests",
				"spring.web.resources.static-locations=classpath:/page-cache-static/",
				"spring.thymeleaf.prefix=classpath:/templates/page-cache/" })
class CachePageServerTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private Pages pages;

	private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void responseBodyPagesAreCachedWithDjangoHeaders() throws Exception {
		HttpResponse<String> first = send("GET", "/server/body");
		HttpResponse<String> second = send("GET", "/server/body");
		assertThat(second.body()).isEqualTo(first.body()).isEqualTo("body 1");
		assertThat(first.headers().firstValue("Cache-Control")).hasValue("max-age=600");
		assertThat(first.headers().firstValue("Expires")).isPresent();
		assertThat(first.headers().firstValue("Age")).isEmpty();
		assertThat(second.headers().firstValue("Age")).isPresent();
		assertThat(second.headers().firstValueAsLong("Content-Length")).hasValue(6);
		HttpRequest conditional = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/server/body"))
			.header("If-None-Match", first.headers().firstValue("ETag").orElseThrow())
			.build();
		assertThat(this.client.send(conditional, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(304);
	}

	@Test
	void thymeleafViewsAreCachedOnceRendered() throws Exception {
		String first = send("GET", "/server/view").body();
		assertThat(first).contains("rendered 1");
		assertThat(send("GET", "/server/view").body()).isEqualTo(first);
		assertThat(this.pages.view.get()).isEqualTo(1);
	}

	@Test
	void staticResourcesAreCached() throws Exception {
		HttpResponse<String> first = send("GET", "/site.css");
		HttpResponse<String> second = send("GET", "/site.css");
		assertThat(first.body()).contains("color: red");
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(first.headers().firstValue("Age")).isEmpty();
		assertThat(second.headers().firstValue("Age")).isPresent();
	}

	@Test
	void coldHeadNeverBreaksTheGetEntry() throws Exception {
		HttpResponse<String> head = send("HEAD", "/server/head");
		assertThat(head.body()).isEmpty();
		HttpResponse<String> get = send("GET", "/server/head");
		assertThat(get.body()).isEqualTo("head page 2");
		assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(11);
		assertThat(send("GET", "/server/head").body()).isEqualTo("head page 2");
		HttpResponse<String> warmHead = send("HEAD", "/server/head");
		assertThat(warmHead.body()).isEmpty();
		assertThat(warmHead.headers().firstValueAsLong("Content-Length")).hasValue(11);
		assertThat(this.pages.head.get()).isEqualTo(2);
	}

	@Test
	void pagesThatCreateASessionAreNeverShared() throws Exception {
		HttpResponse<String> first = send("GET", "/server/session");
		HttpResponse<String> second = send("GET", "/server/session");
		String cookieA = first.headers().firstValue("Set-Cookie").orElseThrow();
		String cookieB = second.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(cookieA).startsWith("JSESSIONID=");
		assertThat(cookieB).startsWith("JSESSIONID=").isNotEqualTo(cookieA);
		assertThat(this.pages.session.get()).isEqualTo(2);
	}

	@Test
	void errorsNeverCachedAndNeverCachePagesNeverStored() throws Exception {
		assertThat(send("GET", "/server/fail").statusCode()).isEqualTo(500);
		assertThat(send("GET", "/server/fail").statusCode()).isEqualTo(500);
		assertThat(this.pages.fail.get()).isEqualTo(2);
		HttpResponse<String> never = send("GET", "/server/never");
		assertThat(never.headers().firstValue("Cache-Control"))
			.hasValue("max-age=0, no-cache, no-store, must-revalidate, private");
		assertThat(send("GET", "/server/never").body()).isEqualTo("never 2");
	}

	@Test
	void serverSentEventsAndOversizedPagesStreamUncached() throws Exception {
		for (int i = 0; i < 2; i++) {
			HttpResponse<String> sse = send("GET", "/server/sse");
			assertThat(sse.body()).contains("data:tick");
			assertThat(sse.headers().firstValue("Expires")).isEmpty();
			HttpResponse<String> big = send("GET", "/server/big");
			assertThat(big.body()).hasSize(200_000);
		}
		assertThat(this.pages.sse.get()).isEqualTo(2);
		assertThat(this.pages.big.get()).isEqualTo(2);
	}

	@Test
	void cachePageViewUsesItsOwnTimeout() throws Exception {
		HttpResponse<String> first = send("GET", "/server/per-view");
		assertThat(first.headers().firstValue("Cache-Control")).hasValue("max-age=30");
		assertThat(send("GET", "/server/per-view").body()).isEqualTo("per-view 1");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Pages.class)
	static class ServerApp {

	}

	@Controller
	static class Pages {

		final AtomicInteger body = new AtomicInteger();

		final AtomicInteger view = new AtomicInteger();

		final AtomicInteger head = new AtomicInteger();

		final AtomicInteger session = new AtomicInteger();

		final AtomicInteger fail = new AtomicInteger();

		final AtomicInteger never = new AtomicInteger();

		final AtomicInteger sse = new AtomicInteger();

		final AtomicInteger big = new AtomicInteger();

		final AtomicInteger perView = new AtomicInteger();

		@GetMapping("/server/body")
		@ResponseBody
		String body() {
			return "body " + this.body.incrementAndGet();
		}

		@GetMapping("/server/view")
		String view(Model model) {
			model.addAttribute("count", this.view.incrementAndGet());
			return "hello";
		}

		@GetMapping("/server/head")
		@ResponseBody
		String head() {
			return "head page " + this.head.incrementAndGet();
		}

		@GetMapping("/server/session")
		@ResponseBody
		String session(HttpServletRequest request) {
			request.getSession().setAttribute("seen", true);
			return "session " + this.session.incrementAndGet();
		}

		@GetMapping("/server/fail")
		@ResponseBody
		String fail() {
			this.fail.incrementAndGet();
			throw new IllegalStateException("expected failure");
		}

		@GetMapping("/server/never")
		@NeverCache
		@ResponseBody
		String never() {
			return "never " + this.never.incrementAndGet();
		}

		@GetMapping(path = "/server/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		SseEmitter sse() throws IOException {
			this.sse.incrementAndGet();
			SseEmitter emitter = new SseEmitter();
			emitter.send("tick");
			emitter.complete();
			return emitter;
		}

		@GetMapping("/server/big")
		@ResponseBody
		String big(@RequestParam(defaultValue = "200000") int size) {
			this.big.incrementAndGet();
			return "y".repeat(size);
		}

		@GetMapping("/server/per-view")
		@CachePage(30)
		@ResponseBody
		String perView() {
			return "per-view " + this.perView.incrementAndGet();
		}

	}

}
