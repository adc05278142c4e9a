package io.cacheframework.autoconfigure.thymeleaf;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.core.Caches;
import io.cacheframework.core.TemplateFragmentKeys;
import io.cacheframework.thymeleaf.CacheDialect;
import io.cacheframework.thymeleaf.Renders;
import org.junit.jupiter.api.Test;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link CacheDialectAutoConfiguration} registers the dialect, and that Boot's template engine picks it up.
 */
class CacheDialectAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CacheDialectAutoConfiguration.class, ThymeleafAutoConfiguration.class));

	@Test
	void registersTheDialectWithBootsTemplateEngine() {
		this.runner.withUserConfiguration(CachesConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheDialect.class);
			SpringTemplateEngine engine = context.getBean(SpringTemplateEngine.class);
			assertThat(engine.getDialects()).contains(context.getBean(CacheDialect.class));
			// Boot's engine renders a cached fragment into the Caches bean.
			Context variables = new Context(Locale.ENGLISH, Map.of("user", "ann", "renders", new Renders()));
			assertThat(engine.process("fragmentcache/parts", variables)).contains("<span>ann#1</span>")
				.doesNotContain("cache:");
			assertThat(context.getBean(DefaultCaches.class)
				.get("default")
				.get(TemplateFragmentKeys.make("included", List.of("ann")))).isNotNull();
		});
	}

	@Test
	void usesTheCachesOfTheMainAutoConfigurationAndItsTemplateFragmentsAlias() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CacheFrameworkAutoConfiguration.class,
					CacheDialectAutoConfiguration.class, ThymeleafAutoConfiguration.class))
			.withPropertyValues("app.caches.default.backend=locmem",
					"app.caches.default.location=dialect-main-default-" + UUID.randomUUID(),
					"app.caches.template_fragments.backend=locmem",
					"app.caches.template_fragments.location=dialect-main-fragments-" + UUID.randomUUID())
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(CacheDialect.class);
				Context variables = new Context(Locale.ENGLISH, Map.of("user", "ann", "renders", new Renders()));
				assertThat(context.getBean(SpringTemplateEngine.class).process("fragmentcache/parts", variables))
					.contains("<span>ann#1</span>");
				Caches caches = context.getBean(Caches.class);
				String key = TemplateFragmentKeys.make("included", List.of("ann"));
				assertThat(caches.get("template_fragments").get(key)).asString().contains("<aside>");
				assertThat(caches.get("default").get(key)).isNull();
			});
	}

	@Test
	void backsOffWithoutCaches() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(CacheDialect.class));
	}

	@Test
	void backsOffWithoutThymeleafSpring() {
		this.runner.withUserConfiguration(CachesConfiguration.class)
			.withClassLoader(new FilteredClassLoader(SpringTemplateEngine.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CacheDialect.class));
	}

	@Test
	void aUserDefinedDialectWins() {
		this.runner.withUserConfiguration(CachesConfiguration.class, UserDialectConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(CacheDialect.class);
				assertThat(context).hasBean("myDialect");
				assertThat(context).doesNotHaveBean("cacheDialect");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class CachesConfiguration {

		@Bean(destroyMethod = "close")
		DefaultCaches caches() {
			return new DefaultCaches(Map.of("default", new LocMemCacheBackend(
					CacheSettings.builder("default").location("dialect-autoconfig-" + UUID.randomUUID()).build())));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserDialectConfiguration {

		@Bean
		CacheDialect myDialect(DefaultCaches caches) {
			return new CacheDialect(caches);
		}

	}

}
