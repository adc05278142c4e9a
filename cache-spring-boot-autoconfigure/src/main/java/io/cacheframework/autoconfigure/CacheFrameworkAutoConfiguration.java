package io.cacheframework.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheExecutor;
import io.cacheframework.core.Caches;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.SerializationPolicy;
import io.cacheframework.serializer.ValueSerializer;
import io.cacheframework.spring.CacheFailureHandler;
import io.cacheframework.spring.DjangoCacheManager;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Django's cache framework for Spring Boot: one {@link CacheBackend} bean per {@code app.caches.<alias>} (named
 * {@code <alias>CacheBackend}, {@code default} primary), the {@link Caches} registry (Django's {@code caches}), and
 * a Spring {@link CacheManager} over them for {@code @Cacheable}. The low-level API does not need
 * {@code @EnableCaching}.
 *
 * <p>The cache manager backs off when the application defines its own {@link CacheManager} or sets
 * {@code spring.cache.type}, so Spring Boot's own cache configuration applies as the user asked.
 *
 * @since 0.1.0
 */
@AutoConfiguration(beforeName = { "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration",
		"org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration" },
		afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
@EnableConfigurationProperties({ CacheFrameworkProperties.class, CacheAsyncProperties.class })
@Import(CacheBackendBeansRegistrar.class)
public final class CacheFrameworkAutoConfiguration {

	@Bean
	CacheBackendFactory locmemCacheBackendFactory() {
		return CacheBackendFactory.of("locmem", (context) -> {
			context.requireCommonOptionsOnly();
			return new LocMemCacheBackend(context.settings(), context.serializer());
		});
	}

	@Bean
	CacheBackendFactory dummyCacheBackendFactory() {
		return CacheBackendFactory.of("dummy", (context) -> {
			context.requireCommonOptionsOnly();
			return new DummyCacheBackend(context.settings());
		});
	}

	/**
	 * The value serializer: JDK value types, the application's own packages and
	 * {@code app.cache-serialization.allowed-classes} may be read back from Java serialization.
	 */
	@Bean
	@ConditionalOnMissingBean
	ValueSerializer cacheValueSerializer(CacheFrameworkProperties properties, BeanFactory beanFactory) {
		CacheFrameworkProperties.CacheSerialization serialization = properties.getCacheSerialization();
		List<String> allowed = new ArrayList<>();
		if (AutoConfigurationPackages.has(beanFactory)) {
			for (String pkg : AutoConfigurationPackages.get(beanFactory)) {
				allowed.add(pkg + ".**");
			}
		}
		SerializationPolicy policy = SerializationPolicy.defaults().allow(allowed);
		List<String> extra = serialization.getAllowedClasses();
		for (int i = 0; i < extra.size(); i++) {
			try {
				policy = policy.allow(List.of(extra.get(i).trim()));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidCacheConfigurationException(
						CacheFrameworkProperties.PREFIX + ".cache-serialization.allowed-classes[" + i + "]",
						ex.getMessage(), ex);
			}
		}
		try {
			policy = policy.withLimits(serialization.getMaxDepth(), serialization.getMaxReferences(),
					serialization.getMaxArrayLength(), serialization.getMaxBytes());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCacheConfigurationException(CacheFrameworkProperties.PREFIX + ".cache-serialization",
					"max-depth, max-references and max-bytes must be positive and max-array-length not negative", ex);
		}
		return new DefaultValueSerializer(policy);
	}

	/**
	 * The one bounded executor of the application's asynchronous calls to stores without an asynchronous client
	 * (database, file system), closed with the context.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	CacheExecutor cacheExecutor(CacheAsyncProperties properties) {
		return properties.createExecutor();
	}

	/**
	 * The caches, after every property under this library's groups was checked: a misspelt name fails startup
	 * instead of leaving a default silently in force.
	 */
	@Bean(name = CacheBackendBeansRegistrar.CACHES_BEAN_NAME, destroyMethod = "close")
	DefaultCaches caches(CacheFrameworkProperties properties, ObjectProvider<CacheBackendFactory> factories,
			ValueSerializer cacheValueSerializer, CacheExecutor cacheExecutor, BeanFactory beanFactory,
			Environment environment) {
		UnknownCacheProperties.check(environment);
		CachesBuilder builder = new CachesBuilder(factories.orderedStream().toList(), cacheValueSerializer,
				cacheExecutor, beanFactory, getClass().getClassLoader());
		return builder.build(properties.getCaches());
	}

	/**
	 * Spring's cache abstraction over the caches.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(CacheManager.class)
	@Conditional(SpringCacheTypeNotSetCondition.class)
	static class SpringCacheConfiguration {

		@Bean
		@ConditionalOnMissingBean(CacheManager.class)
		DjangoCacheManager cacheManager(Caches caches) {
			return new DjangoCacheManager(caches);
		}

		/**
		 * Makes cache failures misses for {@code @Cacheable} (Spring rethrows by default), unless the application
		 * configures caching itself.
		 */
		@Bean
		@ConditionalOnMissingBean(CachingConfigurer.class)
		CachingConfigurer cacheFrameworkCachingConfigurer() {
			CacheFailureHandler handler = new CacheFailureHandler();
			return new CachingConfigurer() {

				@Override
				public CacheErrorHandler errorHandler() {
					return handler;
				}

			};
		}

	}

}
