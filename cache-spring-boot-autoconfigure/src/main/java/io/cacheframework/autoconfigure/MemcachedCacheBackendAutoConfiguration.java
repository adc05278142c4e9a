package io.cacheframework.autoconfigure;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedOptions;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.InvalidCacheOptionException;
import net.spy.memcached.MemcachedClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Contributes the {@code memcached} backend when spymemcached is on the classpath.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(MemcachedClient.class)
public final class MemcachedCacheBackendAutoConfiguration {

	/**
	 * The factory of {@code backend: memcached} caches.
	 * @return the factory
	 */
	@Bean
	CacheBackendFactory memcachedCacheBackendFactory() {
		return CacheBackendFactory.of("memcached", MemcachedCacheBackendAutoConfiguration::createBackend);
	}

	/**
	 * Binds {@code options.*} to {@link MemcachedOptions} and builds the backend. A bad option fails startup naming
	 * its property ({@link InvalidCacheOptionException}, reported by the caches builder); anything else the backend
	 * refuses is the location.
	 */
	static CacheBackend createBackend(CacheBackendContext context) {
		MemcachedOptions options = context.bindOptions(MemcachedOptions.class);
		try {
			return new MemcachedCacheBackend(context.settings(), options, context.serializer());
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
