package io.cacheframework.autoconfigure.web;

import java.util.List;

import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.InvalidCacheConfigurationException;
import io.cacheframework.web.CachePage;
import io.cacheframework.web.DefaultPageCacheSettingsResolver;
import io.cacheframework.web.DefaultPageCacheSettingsResolver.PathRule;
import io.cacheframework.web.PageCache;
import io.cacheframework.web.PageCacheSettings;
import io.cacheframework.web.PageCacheSettingsResolver;
import io.cacheframework.web.VaryOnHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binding of {@code app.cache-middleware.*} and {@code app.cache-pages[i].*}, and when the page cache switches on.
 */
class CachePageAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, CachePageAutoConfiguration.class));

	@Test
	void defaultsAreDjangosAndTheSiteWideCacheIsOff() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(PageCache.class)
				.hasSingleBean(FilterRegistrationBean.class)
				.hasSingleBean(WebMvcConfigurer.class);
			CachePageProperties properties = context.getBean(CachePageProperties.class);
			assertThat(properties.getCacheMiddleware().isEnabled()).isFalse();
			assertThat(properties.getCacheMiddleware().getAlias()).isEqualTo("default");
			assertThat(properties.getCacheMiddleware().getSeconds()).isEqualTo(600);
			assertThat(properties.getCacheMiddleware().getKeyPrefix()).isEmpty();
			PageCacheSettingsResolver resolver = context.getBean(PageCacheSettingsResolver.class);
			assertThat(resolver.resolve(new MockHttpServletRequest("GET", "/x"), new Object())).isNull();
			assertThat(context.getBean(PageCache.class).maxBodySize()).isEqualTo(1024 * 1024);
		});
	}

	@Test
	void siteWideAndPerPathSettingsBind() {
		this.runner
			.withPropertyValues("app.cache-middleware.enabled=true", "app.cache-middleware.alias=pages",
					"app.cache-middleware.seconds=30", "app.cache-middleware.key-prefix=site",
					"app.caches.default.backend=locmem", "app.caches.pages.backend=locmem",
					"app.cache-pages[0].path=/articles/**", "app.cache-pages[0].timeout=900",
					"app.cache-pages[0].key-prefix=art")
			.run((context) -> {
				PageCacheSettingsResolver resolver = context.getBean(PageCacheSettingsResolver.class);
				assertThat(resolver.resolve(new MockHttpServletRequest("GET", "/home"), new Object()))
					.isEqualTo(PageCacheSettings.siteWide("pages", "site", 30));
				assertThat(resolver.resolve(new MockHttpServletRequest("GET", "/articles/1"), new Object()))
					.isEqualTo(new PageCacheSettings("default", "art", 30, 900L));
			});
	}

	@Test
	void negativePageTimeoutsFailNamingTheProperty() {
		this.runner.withPropertyValues("app.cache-middleware.seconds=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidCacheConfigurationException.class)
				.hasMessageContaining("app.cache-middleware.seconds")
				.hasMessageContaining("must not be negative, was -1");
		});
		this.runner.withPropertyValues("app.cache-pages[0].path=/a/**", "app.cache-pages[0].timeout=-5")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidCacheConfigurationException.class)
					.hasMessageContaining("app.cache-pages[0].timeout");
			});
		this.runner.withPropertyValues("app.cache-middleware.seconds=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void badPathPatternFailsNamingTheProperty() {
		this.runner.withPropertyValues("app.cache-pages[0].path=/a/{x").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidCacheConfigurationException.class)
				.hasMessageContaining("app.cache-pages[0].path");
		});
	}

	@Test
	void unknownAliasFailsNamingTheProperty() {
		this.runner.withPropertyValues("app.cache-middleware.enabled=true", "app.cache-middleware.alias=nosuch")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("app.cache-middleware.alias")
				.hasMessageContaining("nosuch"));
		this.runner.withPropertyValues("app.cache-pages[0].path=/a/**", "app.cache-pages[0].cache=other")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("app.cache-pages[0].cache"));
	}

	/**
	 * Issue 12 item 6: with no page caching and no header annotation anywhere, the filter is not registered with
	 * the servlet container, so no response is wrapped or buffered.
	 */
	@Test
	void filterIsNotRegisteredWhenNoPageCachingCanApply() {
		this.runner.withUserConfiguration(PlainController.class)
			.run((context) -> assertThat(filter(context).isEnabled()).isFalse());
	}

	@Test
	void filterIsRegisteredWhenPageCachingOrAHeaderAnnotationCanApply() {
		this.runner.withPropertyValues("app.cache-middleware.enabled=true")
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner.withPropertyValues("app.cache-pages[0].path=/a/**")
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner.withUserConfiguration(CachedController.class)
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner.withUserConfiguration(InheritedCachedController.class)
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner.withUserConfiguration(VaryingController.class)
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner
			.withBean(PageCacheSettingsResolver.class,
					() -> (request, handler) -> PageCacheSettings.siteWide("default", "", 60))
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
		this.runner
			.withBean(PageCacheSettingsResolver.class, () -> new DefaultPageCacheSettingsResolver(null,
					List.of(PathRule.of("/a/**", PageCacheSettings.perView(60, "", "", 600))), 600))
			.run((context) -> assertThat(filter(context).isEnabled()).isTrue());
	}

	private static FilterRegistrationBean<?> filter(AssertableWebApplicationContext context) {
		return context.getBean(FilterRegistrationBean.class);
	}

	@Test
	void notInANonWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, CachePageAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PageCache.class));
	}

	@Controller
	static class PlainController {

		@GetMapping("/plain")
		@ResponseBody
		String plain() {
			return "plain";
		}

	}

	@Controller
	static class CachedController {

		@GetMapping("/cached")
		@CachePage(60)
		@ResponseBody
		String cached() {
			return "cached";
		}

	}

	interface CachedApi {

		@CachePage(60)
		String cached();

	}

	@RestController
	static class InheritedCachedController implements CachedApi {

		@Override
		@GetMapping("/inherited")
		public String cached() {
			return "cached";
		}

	}

	@RestController
	@VaryOnHeaders("X-Tenant")
	static class VaryingController {

		@GetMapping("/tenant")
		String tenant() {
			return "tenant";
		}

	}

}
