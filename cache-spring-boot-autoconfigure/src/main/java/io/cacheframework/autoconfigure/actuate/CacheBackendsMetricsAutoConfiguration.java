package io.cacheframework.autoconfigure.actuate;

import java.util.Set;

import io.cacheframework.actuate.MicrometerCacheOperationListener;
import io.cacheframework.actuate.DjangoCacheMeterBinderProvider;
import io.cacheframework.actuate.MicrometerFragmentCacheRecorder;
import io.cacheframework.actuate.MicrometerPageCacheRecorder;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.actuate.CacheMetricsProperties.OperationTimers;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.thymeleaf.FragmentCacheRecorder;
import io.cacheframework.web.PageCacheRecorder;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters for the caches: a {@link CacheMeterBinderProvider} for Spring Boot's cache metrics (so
 * {@code cache.gets}, {@code cache.puts}, {@code cache.evictions} and {@code cache.size} exist for every alias and
 * Spring cache name), registration of Spring cache names first used after startup, operation latency timers
 * ({@code cache.backend.operation}, chosen by {@link CacheMetricsProperties#getOperationTimers()}), and the page and
 * fragment cache counters.
 *
 * <p>Runs before Boot's {@code CacheMetricsAutoConfiguration}, whose conditions must see the provider bean.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = CacheFrameworkAutoConfiguration.class,
		beforeName = "org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(Caches.class)
@EnableConfigurationProperties(CacheMetricsProperties.class)
public final class CacheBackendsMetricsAutoConfiguration {

	/**
	 * Backends whose operations take a few hundred nanoseconds: timing them would cost about as much as the
	 * operation, so {@code io} (the default) leaves them out.
	 */
	private static final Set<String> IN_MEMORY_BACKENDS = Set.of("locmem", "dummy");

	/**
	 * Reads {@code app.cache-metrics.operation-timers}, so that a bad value fails naming the property.
	 */
	@Bean
	@ConfigurationPropertiesBinding
	static CacheMetricsProperties.OperationTimersConverter cacheOperationTimersConverter() {
		return new CacheMetricsProperties.OperationTimersConverter();
	}

	@Bean
	static SmartInitializingSingleton cacheOperationTimersInstaller(ConfigurableListableBeanFactory beanFactory,
			ObjectProvider<MeterRegistry> registry, ObjectProvider<CacheMetricsProperties> properties) {
		// After every singleton exists, so that the registry is fully configured (filters, common tags).
		return () -> {
			OperationTimers mode = properties.getObject().getOperationTimers();
			MeterRegistry meterRegistry = registry.getIfAvailable();
			if (meterRegistry == null || mode == OperationTimers.NONE) {
				return;
			}
			for (Caches caches : beanFactory.getBeansOfType(Caches.class).values()) {
				for (String alias : caches.aliases()) {
					CacheBackend backend = caches.get(alias);
					if (mode == OperationTimers.ALL || !IN_MEMORY_BACKENDS.contains(backend.backendName())) {
						MicrometerCacheOperationListener.instrument(meterRegistry, backend);
					}
				}
			}
		};
	}

	/**
	 * Page cache counters; records nothing without a meter registry.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "jakarta.servlet.http.HttpServletRequest")
	static class PageCacheMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PageCacheRecorder pageCacheRecorder(ObjectProvider<MeterRegistry> registry) {
			MeterRegistry meterRegistry = registry.getIfAvailable();
			return (meterRegistry != null) ? new MicrometerPageCacheRecorder(meterRegistry) : PageCacheRecorder.NONE;
		}

	}

	/**
	 * Template fragment counters; records nothing without a meter registry.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.thymeleaf.spring6.SpringTemplateEngine")
	static class FragmentCacheMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		FragmentCacheRecorder fragmentCacheRecorder(ObjectProvider<MeterRegistry> registry) {
			MeterRegistry meterRegistry = registry.getIfAvailable();
			return (meterRegistry != null) ? new MicrometerFragmentCacheRecorder(meterRegistry)
					: FragmentCacheRecorder.NONE;
		}

	}

	/**
	 * Spring Boot's cache metrics for our caches.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ CacheMeterBinderProvider.class, CacheMetricsRegistrar.class })
	static class SpringCacheMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DjangoCacheMeterBinderProvider djangoCacheMeterBinderProvider() {
			return new DjangoCacheMeterBinderProvider();
		}

		@Bean
		static LateCacheMetricsRegistrar lateCacheMetricsRegistrar(ConfigurableListableBeanFactory beanFactory,
				ObjectProvider<CacheMetricsRegistrar> registrar, ObjectProvider<MeterRegistry> registry) {
			return new LateCacheMetricsRegistrar(beanFactory, registrar, registry);
		}

	}

}
