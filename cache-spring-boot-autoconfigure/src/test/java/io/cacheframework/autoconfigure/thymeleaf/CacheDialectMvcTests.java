package io.cacheframework.autoconfigure.thymeleaf;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.CacheStatistics;
import io.cacheframework.core.Caches;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.TemplateFragmentKeys;
import io.cacheframework.thymeleaf.FailingCacheBackends;
import io.cacheframework.core.MutableClock;
import io.cacheframework.thymeleaf.Renders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.thymeleaf.exceptions.TemplateProcessingException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cache} dialect end to end: real templates rendered by Boot's Thymeleaf view resolver through real Spring
 * MVC, the dialect registered by {@link CacheDialectAutoConfiguration}, fragments stored in real local-memory caches.
 */
@SpringBootTest(classes = CacheDialectMvcTests.App.class)
@AutoConfigureMockMvc
class CacheDialectMvcTests {

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@Autowired
	Renders renders;

	@Autowired
	MutableClock clock;

	@BeforeEach
	void clearCaches() {
		this.caches.get("default").clear();
		this.caches.get("localcache").clear();
		this.renders.reset();
	}

	@Test
	void missRendersOnceAndStoresThenHitServesTheStoredHtml() {
		String first = sidebar("ann");
		String second = sidebar("ann");
		assertThat(this.renders.count("sidebar")).isEqualTo(1);
		assertThat(this.renders.count("live")).isEqualTo(2);
		assertThat(fragment(first)).isEqualTo(fragment(second));
		assertThat(first).contains("<span class=\"render\">1</span>").contains("<p class=\"live\">1</p>");
		assertThat(second).contains("<span class=\"render\">1</span>").contains("<p class=\"live\">2</p>");
		Object stored = this.caches.get("default").get(TemplateFragmentKeys.make("sidebar", List.of("ann")));
		assertThat(stored).isInstanceOf(String.class).isEqualTo(fragment(first));
	}

	@Test
	void dialectAttributesAndNamespaceAreRemovedFromTheOutput() {
		String page = sidebar("ann");
		String cachedPage = sidebar("ann");
		assertThat(page).contains("<div id=\"sidebar\" class=\"box\">")
			.doesNotContain("cache:")
			.doesNotContain("xmlns:cache");
		assertThat(cachedPage).isEqualTo(page.replace("<p class=\"live\">1</p>", "<p class=\"live\">2</p>"));
	}

	@Test
	void storesUnderDjangosKeyForTheFragmentNameAndVaryOnValue() {
		sidebar("guyan");
		CacheBackend cache = this.caches.get("default");
		assertThat(cache.get("template.cache.sidebar.05dd87334169c1d75c62bb688057ee57")).isNotNull();
		assertThat(cache.makeKey(TemplateFragmentKeys.make("sidebar", List.of("guyan"))))
			.isEqualTo(":1:template.cache.sidebar.05dd87334169c1d75c62bb688057ee57");
	}

	@Test
	void varyOnKeepsOneEntryPerUser() {
		String ann = sidebar("ann");
		String bob = sidebar("bob");
		String annAgain = sidebar("ann");
		String bobAgain = sidebar("bob");
		assertThat(this.renders.count("sidebar")).isEqualTo(2);
		assertThat(ann).contains("<span class=\"user\">ann</span>").doesNotContain(">bob<");
		assertThat(bob).contains("<span class=\"user\">bob</span>").doesNotContain(">ann<");
		assertThat(fragment(annAgain)).isEqualTo(fragment(ann));
		assertThat(fragment(bobAgain)).isEqualTo(fragment(bob));
	}

	@Test
	void deletingTheTemplateFragmentKeyInvalidatesOneUsersFragment() {
		sidebar("ann");
		sidebar("bob");
		assertThat(this.caches.get("default").delete(TemplateFragmentKeys.make("sidebar", List.of("ann")))).isTrue();
		String ann = sidebar("ann");
		sidebar("bob");
		assertThat(this.renders.count("sidebar")).isEqualTo(3);
		assertThat(ann).contains("<span class=\"render\">3</span>");
	}

	@Test
	void cachedOutputIsNeverProcessedAgain() {
		String first = sidebar("ann");
		String second = sidebar("ann");
		// [[...]] inside the fragment was inlined once, on the miss, and is served as it was rendered.
		assertThat(first).contains("<span class=\"inline\">1</span>");
		assertThat(second).contains("<span class=\"inline\">1</span>");
		assertThat(this.renders.count("inline")).isEqualTo(1);
	}

	@Test
	void expressionLookingDataInCachedOutputIsNotEvaluatedOnAHit() {
		String user = "[[${renders.evil()}]] [(${renders.evil()})]";
		String first = sidebar(user);
		String second = sidebar(user);
		assertThat(first).contains("<span class=\"user\">" + user + "</span>");
		assertThat(second).contains("<span class=\"user\">" + user + "</span>");
		assertThat(this.renders.count("evil")).isZero();
		assertThat(this.renders.count("sidebar")).isEqualTo(1);
	}

	@Test
	void escapingIsPreservedOnMissAndHit() {
		String user = "<b>a&b\"</b>";
		String first = sidebar(user);
		String second = sidebar(user);
		assertThat(first).contains("<span class=\"user\">&lt;b&gt;a&amp;b&quot;&lt;/b&gt;</span>").doesNotContain("<b>");
		assertThat(fragment(second)).isEqualTo(fragment(first));
	}

	@Test
	void thEachCachesEachIterationUnderItsOwnVaryOn() {
		String first = items("1:one,2:two,3:three");
		assertThat(first).contains("<li>one#1</li>", "<li>two#2</li>", "<li>three#3</li>");
		// Same ids, new names: every iteration is a hit and shows what was cached for its id.
		String second = items("1:uno,2:dos,3:tres");
		assertThat(second).contains("<li>one#1</li>", "<li>two#2</li>", "<li>three#3</li>");
		assertThat(this.renders.count("item")).isEqualTo(3);
		// A new id misses alone.
		String third = items("1:x,4:four,3:y");
		assertThat(third).contains("<li>one#1</li>", "<li>four#4</li>", "<li>three#3</li>");
		assertThat(this.renders.count("item")).isEqualTo(4);
		for (String id : List.of("1", "2", "3", "4")) {
			assertThat(this.caches.get("default").get(TemplateFragmentKeys.make("item", List.of(id))))
				.as("entry for id %s", id)
				.isInstanceOf(String.class);
		}
	}

	@Test
	void nestedFragmentsAreCachedIndependently() {
		String ann = page("/nested?user=ann");
		assertThat(ann).contains("<h1>outer#1</h1>", "<p>ann#1</p>");
		// The outer fragment is a hit: it holds ann's inner fragment, which is not looked at (as in Django).
		String bob = page("/nested?user=bob");
		assertThat(bob).contains("<h1>outer#1</h1>", "<p>ann#1</p>");
		assertThat(this.renders.count("outer")).isEqualTo(1);
		assertThat(this.renders.count("inner")).isEqualTo(1);
		// Invalidate only the outer one: it renders again, the inner one misses for bob...
		this.caches.get("default").delete(TemplateFragmentKeys.make("outer", List.of()));
		assertThat(page("/nested?user=bob")).contains("<h1>outer#2</h1>", "<p>bob#2</p>");
		// ...and hits for ann, whose inner entry survived.
		this.caches.get("default").delete(TemplateFragmentKeys.make("outer", List.of()));
		assertThat(page("/nested?user=ann")).contains("<h1>outer#3</h1>", "<p>ann#1</p>");
		assertThat(this.renders.count("inner")).isEqualTo(2);
		// th:block leaves no tag behind.
		assertThat(ann).doesNotContain("th:block").doesNotContain("<th:block");
	}

	@Test
	void fragmentsIncludedWithInsertAndReplaceAreCached() {
		String first = page("/include?user=ann");
		// th:insert misses and stores; th:replace of the same fragment, later in the same page, hits.
		assertThat(first).contains("<div id=\"inserted\"><aside>\n\t<span>ann#1</span>\n</aside></div>");
		assertThat(first).contains("<aside>\n\t<span>ann#1</span>\n</aside>\n</body>");
		assertThat(first).doesNotContain("th:fragment").doesNotContain("cache:");
		String second = page("/include?user=ann");
		assertThat(second).isEqualTo(first);
		assertThat(this.renders.count("included")).isEqualTo(1);
		assertThat(page("/include?user=bob")).contains("<span>bob#2</span>");
	}

	@Test
	void usingStoresInTheNamedAlias() {
		page("/literal-using");
		page("/literal-using");
		assertThat(this.renders.count("local")).isEqualTo(1);
		String key = TemplateFragmentKeys.make("local", List.of());
		assertThat(this.caches.get("localcache").get(key)).isInstanceOf(String.class);
		assertThat(this.caches.get("default").get(key)).isNull();
	}

	@Test
	void usingTakesAnExpressionToo() {
		page("/using?alias=localcache");
		page("/using?alias=localcache");
		assertThat(this.renders.count("aliased")).isEqualTo(1);
		assertThat(this.caches.get("localcache").get(TemplateFragmentKeys.make("aliased", List.of()))).isNotNull();
		assertThat(this.caches.get("default").get(TemplateFragmentKeys.make("aliased", List.of()))).isNull();
	}

	@Test
	void withoutUsingFragmentsGoToTheDefaultAliasWhenThereIsNoTemplateFragmentsAlias() {
		sidebar("ann");
		assertThat(this.caches.get("default").get(TemplateFragmentKeys.make("sidebar", List.of("ann")))).isNotNull();
		assertThat(this.caches.get("localcache").get(TemplateFragmentKeys.make("sidebar", List.of("ann")))).isNull();
	}

	@Test
	void unknownAliasIsATemplateErrorNamingIt() {
		MvcTestResult result = this.mvc.get().uri("/using?alias=nosuch").exchange();
		assertThat(result).hasFailed();
		assertThat(templateError(result)).hasMessageContaining("Invalid cache name specified for cache tag: 'nosuch'")
			.hasMessageContaining("fragmentcache/using");
	}

	@Test
	void nonIntegerTimeoutIsATemplateErrorWithDjangosMessage() {
		MvcTestResult result = this.mvc.get().uri("/using?alias=default&timeout=fail").exchange();
		assertThat(result).hasFailed();
		assertThat(templateError(result))
			.hasMessageContaining("\"cache\" tag got a non-integer timeout value: 'fail'");
	}

	@Test
	void timeoutExpiresTheFragment() {
		page("/using?alias=default&timeout=60");
		this.clock.advance(Duration.ofSeconds(59));
		page("/using?alias=default&timeout=60");
		assertThat(this.renders.count("aliased")).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(2));
		page("/using?alias=default&timeout=60");
		assertThat(this.renders.count("aliased")).isEqualTo(2);
	}

	@Test
	void noneTimeoutNeverExpires() {
		page("/using?alias=default&timeout=none");
		this.clock.advance(Duration.ofDays(3650));
		page("/using?alias=default&timeout=none");
		assertThat(this.renders.count("aliased")).isEqualTo(1);
	}

	@Test
	void anOutageRendersTheFragmentLiveAndThePageSucceeds() {
		CacheStatistics statistics = ((AbstractCacheBackend) this.caches.get("outage")).statistics();
		long errorsBefore = statistics.errors();
		assertThat(this.mvc.get().uri("/using?alias=outage")).hasStatusOk().bodyText().contains("<span>1</span>");
		assertThat(this.mvc.get().uri("/using?alias=outage")).hasStatusOk().bodyText().contains("<span>2</span>");
		assertThat(this.renders.count("aliased")).isEqualTo(2);
		// Each page's read and write reached the failing store.
		assertThat(statistics.errors() - errorsBefore).isEqualTo(4);
	}

	@Test
	void aBackendThatThrowsUnexpectedlyStillRendersThePage() {
		assertThat(this.mvc.get().uri("/using?alias=exploding")).hasStatusOk().bodyText().contains("<span>1</span>");
		assertThat(this.mvc.get().uri("/using?alias=exploding")).hasStatusOk().bodyText().contains("<span>2</span>");
		assertThat(this.renders.count("aliased")).isEqualTo(2);
	}

	private String sidebar(String user) {
		MvcTestResult result = this.mvc.get().uri("/sidebar").param("user", user).exchange();
		assertThat(result).hasStatusOk();
		return body(result);
	}

	private String items(String items) {
		return page("/each?items=" + items);
	}

	private String page(String uri) {
		MvcTestResult result = this.mvc.get().uri(uri).exchange();
		assertThat(result).hasStatusOk();
		return body(result);
	}

	private static String body(MvcTestResult result) {
		try {
			return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
		}
		catch (UnsupportedEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String fragment(String page) {
		int start = page.indexOf("<div id=\"sidebar\"");
		int end = page.indexOf("</div>", start) + "</div>".length();
		assertThat(start).as("sidebar in %s", page).isNotNegative();
		return page.substring(start, end);
	}

	private static Throwable templateError(MvcTestResult result) {
		Throwable failure = result.getUnresolvedException();
		while (failure != null && !(failure instanceof TemplateProcessingException)) {
			failure = failure.getCause();
		}
		assertThat(failure).as("a TemplateProcessingException in %s", result.getUnresolvedException()).isNotNull();
		return failure;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class,
			HttpMessageConvertersAutoConfiguration.class, ThymeleafAutoConfiguration.class,
			CacheDialectAutoConfiguration.class })
	@Import(FragmentController.class)
	static class App {

		@Bean
		MutableClock clock() {
			return new MutableClock();
		}

		@Bean(destroyMethod = "close")
		DefaultCaches caches(MutableClock clock) {
			// Unique store names: local-memory stores are shared JVM-wide by location.
			String store = "fragment-mvc-" + UUID.randomUUID();
			Map<String, CacheBackend> backends = new LinkedHashMap<>();
			backends.put("default", new LocMemCacheBackend(
					CacheSettings.builder("default").location(store + "-default").clock(clock).build()));
			backends.put("localcache", new LocMemCacheBackend(
					CacheSettings.builder("localcache").location(store + "-local").clock(clock).build()));
			backends.put("outage", FailingCacheBackends.outage(store));
			backends.put("exploding", FailingCacheBackends.exploding(store));
			return new DefaultCaches(backends);
		}

		@Bean
		Renders renders() {
			return new Renders();
		}

	}

	@Controller
	static class FragmentController {

		private final Renders renders;

		FragmentController(Renders renders) {
			this.renders = renders;
		}

		@ModelAttribute("renders")
		Renders renders() {
			return this.renders;
		}

		@GetMapping("/sidebar")
		String sidebar(@RequestParam String user, Model model) {
			model.addAttribute("user", user);
			return "fragmentcache/sidebar";
		}

		@GetMapping("/each")
		String each(@RequestParam String items, Model model) {
			model.addAttribute("items", Arrays.stream(items.split(",")).map((each) -> {
				String[] parts = each.split(":");
				return new Item(Integer.parseInt(parts[0]), parts[1]);
			}).toList());
			return "fragmentcache/each";
		}

		@GetMapping("/using")
		String using(@RequestParam String alias, @RequestParam(defaultValue = "300") String timeout, Model model) {
			model.addAttribute("alias", alias);
			model.addAttribute("timeout", "none".equals(timeout) ? null : timeout);
			return "fragmentcache/using";
		}

		@GetMapping({ "/nested", "/include", "/literal-using" })
		String page(@RequestParam(required = false) String user, Model model,
				jakarta.servlet.http.HttpServletRequest request) {
			model.addAttribute("user", user);
			return "fragmentcache" + request.getRequestURI();
		}

	}

	/**
	 * An item of a list page.
	 * @param id the id the fragment varies on
	 * @param name the name shown
	 */
	public record Item(int id, String name) {
	}

}
