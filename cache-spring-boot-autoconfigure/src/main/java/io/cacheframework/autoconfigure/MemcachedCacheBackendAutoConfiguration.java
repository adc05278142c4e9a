package io.cacheframework.autoconfigure;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedOptions;
import io.cacheframework.core.CacheBackend;
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
	 * Binds {@code options.*} to {@link MemcachedOptions} and builds the backend; a bad location or option fails
	 * startup naming the property.
	 */
	static CacheBackend createBackend(CacheBackendContext context) {
		MemcachedOptions options = context.bindOptions(MemcachedOptions.class);
		try {
			return new MemcachedCacheBackend(context.settings(), options, context.serializer());
		}
		catch (IllegalArgumentException ex) {
			String message = ex.getMessage();
			String property = context.propertyPrefix() + ".location";
			for (String option : new String[] { "operation-timeout", "connections", "timeout-threshold",
					"reconnect-delay" }) {
				if (message != null && message.startsWith(option)) {
					property = context.propertyPrefix() + ".options." + option;
				}
			}
			throw new InvalidCacheConfigurationException(property, String.valueOf(message), ex);
		}
	}

}
