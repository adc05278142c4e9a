package io.cacheframework.sample;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.cacheframework.web.CachePage;
import io.cacheframework.web.CacheControl;
import io.cacheframework.web.NeverCache;
import io.cacheframework.web.VaryOnCookie;
import io.cacheframework.web.VaryOnHeaders;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The page-caching examples of Django's cache documentation ("The per-site cache", "The per-view cache",
 * "Vary headers", "Controlling cache: using other headers"). Each page shows how often it was really rendered, so
 * a cached page is easy to spot: reload and the number stays.
 *
 * <ul>
 * <li>{@code /pages/site}: cached by the site-wide cache when {@code app.cache-middleware.enabled=true}
 * (profile {@code sitecache} in the sample's application.yml); without it, rendered each time.</li>
 * <li>{@code /pages/by-path}: cached through {@code app.cache-pages}, Django's {@code cache_page} in the URLconf,
 * with no annotation on the handler.</li>
 * <li>{@code /pages/report}: {@code @CachePage(60)}, Django's {@code @cache_page(60)}; a view that costs
 * about 5 ms of CPU to render.</li>
 * <li>{@code /pages/report-live}: the same view with {@code @NeverCache}: rendered every time.</li>
 * <li>{@code /pages/tenant}: {@code @VaryOnHeaders("X-Tenant")}: one cached page per tenant header value.</li>
 * <li>{@code /pages/account}: {@code @VaryOnCookie} with {@code @CacheControl(cachePrivate = true)}: browsers may
 * keep it, the shared page cache never stores it.</li>
 * <li>{@code /pages/ping}: a trivial controller (the load test's baseline).</li>
 * </ul>
 */
@Controller
class PagesController {

	static volatile long sink;

	private final AtomicLong renders = new AtomicLong();

	@GetMapping("/pages/site")
	String site(Model model) {
		return page(model, "Site-wide cached page", "Cached by the site-wide cache when app.cache-middleware.enabled");
	}

	@GetMapping("/pages/by-path")
	String byPath(Model model) {
		return page(model, "Cached by path", "app.cache-pages[0].path=/pages/by-path: no annotation on this handler");
	}

	@GetMapping("/pages/report")
	@CachePage(60)
	String report(Model model) {
		expensiveWork();
		return page(model, "Per-view cached report", "@CachePage(60): rendered at most once a minute");
	}

	@GetMapping("/pages/report-live")
	@NeverCache
	String reportLive(Model model) {
		expensiveWork();
		return page(model, "Live report", "@NeverCache: rendered on every request");
	}

	@GetMapping("/pages/tenant")
	@CachePage(60)
	@VaryOnHeaders("X-Tenant")
	String tenant(@RequestHeader(name = "X-Tenant", required = false) String tenant, Model model) {
		return page(model, "Tenant " + tenant, "@VaryOnHeaders(\"X-Tenant\"): one cached page per X-Tenant value");
	}

	@GetMapping("/pages/account")
	@VaryOnCookie
	@CacheControl(cachePrivate = true, maxAge = 60)
	String account(Model model) {
		return page(model, "Your account", "Cache-Control: private: never stored by the shared page cache");
	}

	@GetMapping("/pages/ping")
	@ResponseBody
	String ping() {
		return "pong";
	}

	private String page(Model model, String title, String note) {
		model.addAttribute("title", title);
		model.addAttribute("note", note);
		model.addAttribute("renders", this.renders.incrementAndGet());
		model.addAttribute("renderedAt", Instant.now());
		return "pages/page";
	}

	/**
	 * Stands for real work (queries, rendering a large model): about 5 ms of CPU time on the request thread. CPU,
	 * not sleep, so that it also costs throughput, as real work does.
	 */
	private static void expensiveWork() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long end = threads.getCurrentThreadCpuTime() + 5_000_000L;
		long x = 0;
		while (threads.getCurrentThreadCpuTime() < end) {
			for (int i = 0; i < 10_000; i++) {
				x = x * 31 + i;
			}
		}
		sink = x;
	}

}
