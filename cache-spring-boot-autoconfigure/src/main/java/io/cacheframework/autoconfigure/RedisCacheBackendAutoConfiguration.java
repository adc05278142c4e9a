package io.cacheframework.autoconfigure;

import io.cacheframework.backend.redis.RedisCacheBackend;
import io.cacheframework.backend.redis.RedisOptions;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.InvalidCacheOptionException;
import io.lettuce.core.RedisClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Contributes the {@code redis} backend when Lettuce ({@code io.lettuce:lettuce-core}) is on the classpath.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(RedisClient.class)
public final class RedisCacheBackendAutoConfiguration {

	/**
	 * The factory of {@code backend: redis} caches.
	 * @return the factory
	 */
	@Bean
	CacheBackendFactory redisCacheBackendFactory() {
		return CacheBackendFactory.of("redis", RedisCacheBackendAutoConfiguration::createBackend);
	}

	/**
	 * Binds {@code options.*} to {@link RedisOptions} and builds the backend; a bad option fails startup naming it, a
	 * bad location naming {@code location}.
	 */
	static CacheBackend createBackend(CacheBackendContext context) {
		RedisOptions options = context.bindOptions(RedisOptions.class);
		try {
			return new RedisCacheBackend(context.settings(), options, context.serializer());
		}
		catch (InvalidCacheOptionException ex) {
			throw ex;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCacheConfigurationException(context.propertyPrefix() + ".location",
					String.valueOf(ex.getMessage()), ex);
		}
	}

}
