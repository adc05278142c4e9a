package io.cacheframework.autoconfigure.actuate;

import java.util.Locale;
import java.util.Set;

import io.cacheframework.actuate.CacheOperationTimers;
import io.cacheframework.actuate.DjangoCacheMeterBinderProvider;
import io.cacheframework.actuate.DjangoCacheMetricsBinder;
import io.cacheframework.actuate.MicrometerCacheLookupRecorder;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.InvalidCacheConfigurationException;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheLookupRecorder;
import io.cacheframework.core.Caches;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Micrometer meters for the caches: a {@link CacheMeterBinderProvider} for Spring Boot's cache metrics (so
 * {@code cache.gets}, {@code cache.puts}, {@code cache.evictions} and {@code cache.size} exist for every alias),
 * binding of Spring cache names first used after startup, operation latency timers
 * ({@code cache.backend.operation}; {@code app.cache-metrics.operation-timers}: {@code io} (default) times every
 * backend but the in-memory ones, {@code all} times those too, {@code none} switches them off), and the page and
 * fragment cache counters ({@link CacheLookupRecorder}).
 *
 * <p>Runs before Boot's {@code CacheMetricsAutoConfiguration}, whose conditions must see the provider bean.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = CacheFrameworkAutoConfiguration.class,
		beforeName = "org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(Caches.class)
public final class CacheBackendsMetricsAutoConfiguration {

	static final String OPERATION_TIMERS_PROPERTY = "app.cache-metrics.operation-timers";

	/**
	 * Backends whose operations take a few hundred nanoseconds: timing them would cost about as much as the
	 * operation, so {@code io} (the default) leaves them out.
	 */
	private static final Set<String> IN_MEMORY_BACKENDS = Set.of("locmem", "dummy");

	/**
	 * Page and fragment cache counters; records nothing without a meter registry.
	 */
	@Bean
	@ConditionalOnMissingBean
	CacheLookupRecorder cacheLookupRecorder(ObjectProvider<MeterRegistry> registry) {
		MeterRegistry meterRegistry = registry.getIfAvailable();
		return (meterRegistry != null) ? new MicrometerCacheLookupRecorder(meterRegistry) : CacheLookupRecorder.NONE;
	}

	@Bean
	static SmartInitializingSingleton cacheOperationTimersInstaller(ConfigurableListableBeanFactory beanFactory,
			ObjectProvider<MeterRegistry> registry, Environment environment) {
		String mode = environment.getProperty(OPERATION_TIMERS_PROPERTY, "io").trim().toLowerCase(Locale.ROOT);
		if (!Set.of("io", "all", "none", "true", "false").contains(mode)) {
			throw new InvalidCacheConfigurationException(OPERATION_TIMERS_PROPERTY,
					"must be io, all or none, got '" + mode + "'");
		}
		boolean all = mode.equals("all") || mode.equals("true");
		boolean none = mode.equals("none") || mode.equals("false");
		// After every singleton exists, so that the registry is fully configured (filters, common tags).
		return () -> {
			MeterRegistry meterRegistry = registry.getIfAvailable();
			if (meterRegistry == null || none) {
				return;
			}
			for (Caches caches : beanFactory.getBeansOfType(Caches.class).values()) {
				for (String alias : caches.aliases()) {
					CacheBackend backend = caches.get(alias);
					if (all || !IN_MEMORY_BACKENDS.contains(backend.backendName())) {
						CacheOperationTimers.instrument(meterRegistry, backend);
					}
				}
			}
		};
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
		static DjangoCacheMetricsBinder djangoCacheMetricsBinder(ConfigurableListableBeanFactory beanFactory,
				ObjectProvider<CacheMetricsRegistrar> registrar, ObjectProvider<MeterRegistry> registry) {
			return new DjangoCacheMetricsBinder(beanFactory, registrar, registry);
		}

	}

}
