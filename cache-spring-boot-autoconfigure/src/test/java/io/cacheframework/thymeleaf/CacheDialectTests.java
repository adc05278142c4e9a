package io.cacheframework.thymeleaf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.TemplateFragmentKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.thymeleaf.context.Context;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.StringTemplateResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cache} dialect on a real Spring template engine (SpEL expressions), without MVC: keys, aliases, attribute
 * forms and errors.
 */
class CacheDialectTests {

	private final Renders renders = new Renders();

	private DefaultCaches caches;

	private SpringTemplateEngine engine;

	@AfterEach
	void close() {
		if (this.caches != null) {
			this.caches.close();
		}
	}

	@Test
	void storesUnderDjango61KeysForTheVaryOnValues() {
		engine("default");
		// CONFORMANCE §2, 6.1.1 column, reached through the attribute forms.
		assertStoredUnder("cache:vary-on=\"${'guyan'}\"", "template.cache.sidebar.05dd87334169c1d75c62bb688057ee57");
		assertStoredUnder("", "template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e");
		assertStoredUnder("cache:vary-on=\"${''}\"", "template.cache.sidebar.3b59035bd3b34e30981dc990dd93acbb");
		// null is Django's unresolved variable: ''.
		assertStoredUnder("cache:vary-on=\"${null}\"", "template.cache.sidebar.3b59035bd3b34e30981dc990dd93acbb");
	}

	@Test
	void varyOnTakesASequenceOfExpressionsOrOneListOrArray() {
		engine("default");
		String key = "template.cache.foo.3f73e01099527296f2809374509968e3"; // ['abc:def%', 'x y', 1, '']
		assertStoredUnder("foo", "cache:vary-on=\"${'abc:def%'}, 'x y', ${1}, ${null}\"", key);
		assertStoredUnder("foo", "cache:vary-on=\"${ {'abc:def%', 'x y', 1, null} }\"", key);
		assertStoredUnder("foo", "cache:vary-on=\"${values}\"", key, Map.of("values", new Object[] { "abc:def%", "x y", 1, "" }));
		assertThat(key).isEqualTo(TemplateFragmentKeys.make("foo", java.util.Arrays.asList("abc:def%", "x y", 1, null)));
	}

	@Test
	void integerAndStringVaryOnShareAKeyAsInDjango() {
		engine("default");
		assertStoredUnder("foo", "cache:vary-on=\"${1}\"", "template.cache.foo.6709aa7b0015b3f2257cda58f6ae8ed0");
		assertStoredUnder("foo", "cache:vary-on=\"'1'\"", "template.cache.foo.6709aa7b0015b3f2257cda58f6ae8ed0");
	}

	@Test
	void netstringKeysKeepColonSplitValuesApart() {
		engine("default");
		String first = render("<p cache:fragment=\"foo\" cache:vary-on=\"'a:', 'b'\" th:text=\"'first'\">x</p>");
		String second = render("<p cache:fragment=\"foo\" cache:vary-on=\"'a', ':b'\" th:text=\"'second'\">x</p>");
		assertThat(first).isEqualTo("<p>first</p>");
		assertThat(second).isEqualTo("<p>second</p>");
		assertThat(cache("default").get("template.cache.foo.c2b5082a38f258aec9680e97ec265aa0")).isEqualTo("<p>first</p>");
		assertThat(cache("default").get("template.cache.foo.5e41238b163f6757a314aea829d1022e")).isEqualTo("<p>second</p>");
	}

	@Test
	void templateFragmentsAliasIsPreferredWhenConfigured() {
		engine("default", "template_fragments");
		render("<p cache:fragment=\"f\">x</p>");
		String key = TemplateFragmentKeys.make("f", List.of());
		assertThat(cache("template_fragments").get(key)).isEqualTo("<p>x</p>");
		assertThat(cache("default").get(key)).isNull();
	}

	@Test
	void withoutDefaultOrTemplateFragmentsAliasAFragmentNeedsUsing() {
		engine("other");
		assertThat(templateError(() -> render("<p cache:fragment=\"f\">x</p>")))
			.hasMessageContaining("neither 'template_fragments' nor 'default' is configured")
			.hasMessageContaining("[other]");
		assertThat(render("<p cache:fragment=\"f\" cache:using=\"other\">x</p>")).isEqualTo("<p>x</p>");
	}

	@Test
	void anEmptyStoredFragmentIsAHit() {
		engine("default");
		cache("default").set(TemplateFragmentKeys.make("empty", List.of()), "");
		assertThat(render("<p>[<span cache:fragment=\"empty\" th:text=\"${renders.next('empty')}\">x</span>]</p>"))
			.isEqualTo("<p>[]</p>");
		assertThat(this.renders.count("empty")).isZero();
	}

	@Test
	void aValueThatIsNotAStringIsReplacedByTheRenderedFragment() {
		engine("default");
		String key = TemplateFragmentKeys.make("f", List.of());
		cache("default").set(key, 42);
		assertThat(render("<p cache:fragment=\"f\">x</p>")).isEqualTo("<p>x</p>");
		assertThat(cache("default").get(key)).isEqualTo("<p>x</p>");
	}

	@Test
	void varyOnSeesThWithOnTheSameElement() {
		engine("default");
		String template = "<p th:with=\"u=${user}\" cache:fragment=\"w\" cache:vary-on=\"${u}\" th:text=\"${u}\">x</p>";
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo("<p>ann</p>");
		assertThat(render(template, Map.of("user", "bob"))).isEqualTo("<p>bob</p>");
		assertThat(cache("default").get(TemplateFragmentKeys.make("w", List.of("bob")))).isEqualTo("<p>bob</p>");
	}

	@Test
	void thIfOnTheSameElementRunsFirst() {
		engine("default");
		String template = "<p th:if=\"${show}\" cache:fragment=\"shown\">x</p>";
		assertThat(render(template, Map.of("show", false))).isEmpty();
		assertThat(cache("default").get(TemplateFragmentKeys.make("shown", List.of()))).isNull();
		assertThat(render(template, Map.of("show", true))).isEqualTo("<p>x</p>");
	}

	@Test
	void dataAttributeFormWorksAndIsRemoved() {
		engine("default");
		String template = "<p data-cache-fragment=\"d\" data-cache-vary-on=\"${user}\" data-cache-timeout=\"60\""
				+ " th:text=\"${renders.next('d')}\">x</p>";
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo("<p>1</p>");
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo("<p>1</p>");
		assertThat(cache("default").get(TemplateFragmentKeys.make("d", List.of("ann")))).isEqualTo("<p>1</p>");
	}

	@Test
	void localeIsNotPartOfTheKeyUnlessVariedOn() {
		engine("default");
		String template = "<p cache:fragment=\"greeting\" th:text=\"${#locale}\">x</p>";
		assertThat(render(template, Map.of(), Locale.GERMAN)).isEqualTo("<p>de</p>");
		// As in Django: the tag does not add the language; a second locale gets the first one's fragment...
		assertThat(render(template, Map.of(), Locale.FRENCH)).isEqualTo("<p>de</p>");
		// ...unless the fragment varies on it.
		String perLocale = "<p cache:fragment=\"greeting\" cache:vary-on=\"${#locale}\" th:text=\"${#locale}\">x</p>";
		assertThat(render(perLocale, Map.of(), Locale.GERMAN)).isEqualTo("<p>de</p>");
		assertThat(render(perLocale, Map.of(), Locale.FRENCH)).isEqualTo("<p>fr</p>");
		assertThat(cache("default").get(TemplateFragmentKeys.make("greeting", List.of("fr")))).isEqualTo("<p>fr</p>");
	}

	@Test
	void companionAttributesWithoutAFragmentNameAreATemplateError() {
		engine("default");
		assertThat(templateError(() -> render("<p cache:timeout=\"60\">x</p>")))
			.hasMessageContaining("cache:timeout needs cache:fragment");
		assertThat(templateError(() -> render("<p cache:vary-on=\"${1}\">x</p>")))
			.hasMessageContaining("cache:vary-on needs cache:fragment");
		assertThat(templateError(() -> render("<p cache:using=\"default\">x</p>")))
			.hasMessageContaining("cache:using needs cache:fragment");
	}

	@Test
	void fragmentNameMustBeOneToken() {
		engine("default");
		assertThat(templateError(() -> render("<p cache:fragment=\"\">x</p>")))
			.hasMessageContaining("cache:fragment needs a fragment name without whitespace, got ''");
		assertThat(templateError(() -> render("<p cache:fragment=\"side bar\">x</p>")))
			.hasMessageContaining("'side bar'");
	}

	@Test
	void templateErrorsNameTheTemplateAndLine() {
		engine("default");
		assertThat(templateError(() -> render("<div>\n<p cache:fragment=\"t\" cache:timeout=\"${'fail'}\">x</p></div>")))
			.hasMessageContaining("\"cache\" tag got a non-integer timeout value: 'fail'")
			.satisfies((ex) -> assertThat(ex.getLine()).isEqualTo(2));
	}

	@Test
	void inliningGoesOnAfterACachedFragment() {
		engine("default");
		String template = "<div>[[${1 + 1}]]<p cache:fragment=\"a\">[[${renders.next('a')}]]</p>[[${2 + 1}]]"
				+ "<span>[(${5 + 1})]</span></div><b>[[${3 + 1}]]</b>";
		assertThat(render(template)).isEqualTo("<div>2<p>1</p>3<span>6</span></div><b>4</b>");
		assertThat(render(template)).isEqualTo("<div>2<p>1</p>3<span>6</span></div><b>4</b>");
	}

	@Test
	void aFragmentAttributeWithoutAValueIsATemplateError() {
		engine("default");
		assertThat(templateError(() -> render("<p cache:fragment>x</p>")))
			.hasMessageContaining("cache:fragment needs a fragment name");
	}

	@Test
	void concurrentRendersNeverMixUpUsers() throws Exception {
		engine("default");
		String template = "<p cache:fragment=\"who\" cache:vary-on=\"${user}\"><b th:text=\"${user}\">u</b>"
				+ "<i th:each=\"n : ${ {1, 2, 3} }\" th:text=\"${user} + ${n}\">n</i></p><s th:text=\"${user}\">u</s>";
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<List<String>>> results = new ArrayList<>();
			for (int thread = 0; thread < 8; thread++) {
				results.add(pool.submit(() -> {
					List<String> problems = new ArrayList<>();
					for (int i = 0; i < 100; i++) {
						String user = "user" + (i % 5);
						String expected = "<p><b>" + user + "</b><i>" + user + "1</i><i>" + user + "2</i><i>" + user
								+ "3</i></p><s>" + user + "</s>";
						String html = render(template, Map.of("user", user));
						if (!html.equals(expected)) {
							problems.add(html);
						}
					}
					return problems;
				}));
			}
			for (Future<List<String>> result : results) {
				assertThat(result.get(60, TimeUnit.SECONDS)).isEmpty();
			}
		}
		finally {
			pool.shutdownNow();
		}
		for (int user = 0; user < 5; user++) {
			assertThat(cache("default").get(TemplateFragmentKeys.make("who", List.of("user" + user))))
				.isEqualTo("<p><b>user" + user + "</b><i>user" + user + "1</i><i>user" + user + "2</i><i>user" + user
						+ "3</i></p>");
		}
	}

	@Test
	void aKeyTheBackendRejectsIsATemplateErrorNotALiveRender() {
		// A backend that validates keys as memcached does (before any I/O): the error never goes away by itself.
		engine(Map.of("default", new LocMemCacheBackend(
				CacheSettings.builder("default").location("fragment-strict-" + UUID.randomUUID()).build()) {

			@Override
			protected boolean rejectsInvalidKeys() {
				return true;
			}

		}));
		String name = "x".repeat(300);
		assertThat(templateError(() -> render("<p cache:fragment=\"" + name + "\">x</p>")))
			.hasRootCauseInstanceOf(InvalidCacheKeyException.class);
		assertThat(render("<p cache:fragment=\"short\">x</p>")).isEqualTo("<p>x</p>");
	}

	@Test
	void aMissRendersTheFragmentOnce() {
		engine("default");
		String template = "<ul cache:fragment=\"list\"><li th:each=\"i : ${ {1, 2, 3} }\""
				+ " th:text=\"${renders.next('li')}\">x</li></ul>";
		assertThat(render(template)).isEqualTo("<ul><li>1</li><li>2</li><li>3</li></ul>");
		assertThat(this.renders.count("li")).isEqualTo(3);
		assertThat(render(template)).isEqualTo("<ul><li>1</li><li>2</li><li>3</li></ul>");
		assertThat(this.renders.count("li")).isEqualTo(3);
	}

	@Test
	void anUnprocessedTextInlineInCachedOutputIsNotInlinedOnAHit() {
		engine("default");
		// th:inline="none" writes [[...]] through on the miss; the hit must not inline it either.
		String template = "<p cache:fragment=\"raw\" th:inline=\"none\">[[${renders.evil()}]]</p>";
		assertThat(render(template)).isEqualTo("<p>[[${renders.evil()}]]</p>");
		assertThat(render(template)).isEqualTo("<p>[[${renders.evil()}]]</p>");
		assertThat(this.renders.count("evil")).isZero();
	}

	@Test
	void thInsertOnTheSameElementIsCapturedInTheFragment() {
		engine("default");
		// cache:fragment runs before th:insert here (Thymeleaf refuses a model processor on a replaced body).
		String template = "<div cache:fragment=\"ins\" th:insert=\"~{parts :: sidebar}\">x</div>";
		String expected = "<div><aside>\n\t<span>ann#1</span>\n</aside></div>";
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo(expected);
		// The outer fragment does not vary on the user: bob gets ann's, and the included template is not rendered.
		assertThat(render(template, Map.of("user", "bob"))).isEqualTo(expected);
		assertThat(this.renders.count("included")).isEqualTo(1);
		assertThat(cache("default").get(TemplateFragmentKeys.make("ins", List.of()))).isEqualTo(expected);
	}

	@Test
	void thReplaceOnTheSameElementIsCapturedInTheFragment() {
		engine("default");
		String template = "<p>[<div cache:fragment=\"rep\" cache:vary-on=\"${user}\""
				+ " th:replace=\"~{parts :: sidebar}\">x</div>]</p>";
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo("<p>[<aside>\n\t<span>ann#1</span>\n</aside>]</p>");
		assertThat(render(template, Map.of("user", "ann"))).isEqualTo("<p>[<aside>\n\t<span>ann#1</span>\n</aside>]</p>");
		assertThat(render(template, Map.of("user", "bob"))).isEqualTo("<p>[<aside>\n\t<span>bob#2</span>\n</aside>]</p>");
		assertThat(this.renders.count("included")).isEqualTo(2);
	}

	@Test
	void thEachAndThInsertOnTheCachedElementIsRejectedByThymeleaf() {
		engine("default");
		String template = "<div th:each=\"i : ${ {1, 2} }\" cache:fragment=\"x\" cache:vary-on=\"${i}\""
				+ " th:insert=\"~{parts :: sidebar}\">x</div>";
		assertThat(templateError(() -> render(template, Map.of("user", "ann"))))
			.hasMessageContaining("already been modified");
	}

	@Test
	void anotherPrefixCanBeChosen() {
		engine("default");
		this.engine = new SpringTemplateEngine();
		this.engine.setTemplateResolver(new StringTemplateResolver());
		this.engine.addDialect(new CacheDialect(this.caches, "fc"));
		String html = render("<html xmlns:fc=\"x\"><p fc:fragment=\"p\" fc:vary-on=\"${user}\""
				+ " th:text=\"${renders.next('p')}\">x</p></html>", Map.of("user", "ann"));
		assertThat(html).isEqualTo("<html><p>1</p></html>");
		assertThat(render("<p fc:fragment=\"p\" fc:vary-on=\"${user}\">x</p>", Map.of("user", "ann")))
			.isEqualTo("<p>1</p>");
		assertThat(cache("default").get(TemplateFragmentKeys.make("p", List.of("ann")))).isEqualTo("<p>1</p>");
	}

	private void assertStoredUnder(String attributes, String key) {
		assertStoredUnder("sidebar", attributes, key);
	}

	private void assertStoredUnder(String name, String attributes, String key) {
		assertStoredUnder(name, attributes, key, Map.of());
	}

	private void assertStoredUnder(String name, String attributes, String key, Map<String, Object> variables) {
		cache("default").clear();
		String html = render("<p cache:fragment=\"" + name + "\"" + (attributes.isEmpty() ? "" : " " + attributes) + ">x</p>",
				variables);
		assertThat(html).isEqualTo("<p>x</p>");
		assertThat(cache("default").get(key)).as("entry under %s for %s", key, attributes).isEqualTo("<p>x</p>");
	}

	/**
	 * The error a template failed with: Thymeleaf wraps processor errors of string templates in a
	 * {@code TemplateInputException}; the processor's own exception is the innermost one.
	 */
	private static TemplateProcessingException templateError(Runnable rendering) {
		Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(rendering::run);
		TemplateProcessingException innermost = null;
		for (Throwable each = thrown; each != null; each = each.getCause()) {
			if (each instanceof TemplateProcessingException processing) {
				innermost = processing;
			}
		}
		assertThat(innermost).as("a template error, got %s", thrown).isNotNull();
		return innermost;
	}

	private CacheBackend cache(String alias) {
		return this.caches.get(alias);
	}

	private String render(String template) {
		return render(template, Map.of());
	}

	private String render(String template, Map<String, Object> variables) {
		return render(template, variables, Locale.ENGLISH);
	}

	private String render(String template, Map<String, Object> variables, Locale locale) {
		Map<String, Object> all = new HashMap<>(variables);
		all.put("renders", this.renders);
		return this.engine.process(template, new Context(locale, all));
	}

	private void engine(String... aliases) {
		String store = "fragment-engine-" + UUID.randomUUID();
		Map<String, CacheBackend> backends = new LinkedHashMap<>();
		for (String alias : aliases) {
			backends.put(alias, new LocMemCacheBackend(CacheSettings.builder(alias).location(store + alias).build()));
		}
		engine(backends);
	}

	private void engine(Map<String, CacheBackend> backends) {
		this.caches = new DefaultCaches(backends);
		SpringTemplateEngine engine = new SpringTemplateEngine();
		ClassLoaderTemplateResolver files = new ClassLoaderTemplateResolver();
		files.setPrefix("templates/fragmentcache/");
		files.setSuffix(".html");
		files.setCheckExistence(true);
		files.setOrder(1);
		StringTemplateResolver strings = new StringTemplateResolver();
		strings.setTemplateMode(TemplateMode.HTML);
		strings.setOrder(2);
		engine.addTemplateResolver(files);
		engine.addTemplateResolver(strings);
		engine.addDialect(new CacheDialect(this.caches));
		this.engine = engine;
	}

}
