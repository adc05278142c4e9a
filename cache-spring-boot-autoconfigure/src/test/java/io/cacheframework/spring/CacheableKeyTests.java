package io.cacheframework.spring;

import java.util.Map;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import org.junit.jupiter.api.Test;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @Cacheable} through Spring's own key generator: arguments of different types or shapes with the same
 * {@code toString()} get their own entries, and a SpEL string key is the low-level API's key.
 */
class CacheableKeyTests {

	@Test
	void argumentsThatPrintAlikeDoNotShareAnEntry() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Invoices invoices = context.getBean(Invoices.class);
			assertThat(invoices.byId(42L)).isEqualTo("invoice #42 (by number)");
			assertThat(invoices.byReference("42")).isEqualTo("invoice '42' (by reference)");
			assertThat(invoices.byId(42L)).isEqualTo("invoice #42 (by number)");
			assertThat(invoices.byCustomer("a, b", "c")).isEqualTo("customer a, b / c");
			assertThat(invoices.byCustomer("a", "b, c")).isEqualTo("customer a / b, c");
			assertThat(invoices.latest()).isEqualTo("latest");
			CacheBackend backend = context.getBean(CacheBackend.class);
			assertThat(backend.get("latest")).isEqualTo("latest");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class Config {

		@Bean(destroyMethod = "close")
		CacheBackend cacheBackend() {
			return new LocMemCacheBackend(CacheSettings.builder("default").location("cacheable-key-tests").build());
		}

		@Bean
		CacheManager cacheManager(CacheBackend cacheBackend) {
			return new DjangoCacheManager(new DefaultCaches(Map.of("default", cacheBackend)));
		}

		@Bean
		Invoices invoices() {
			return new Invoices();
		}

	}

	static class Invoices {

		@Cacheable("invoices")
		public String byId(long id) {
			return "invoice #" + id + " (by number)";
		}

		@Cacheable("invoices")
		public String byReference(String reference) {
			return "invoice '" + reference + "' (by reference)";
		}

		@Cacheable("invoices")
		public String byCustomer(String name, String region) {
			return "customer " + name + " / " + region;
		}

		@Cacheable(cacheNames = "default", key = "'latest'")
		public String latest() {
			return "latest";
		}

	}

}
