package io.cacheframework.autoconfigure.actuate;

import io.cacheframework.actuate.CacheBackendHealthIndicator;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.core.Caches;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health component {@code cachebackends}: one entry per alias, each memcached server in its details (see
 * {@link CacheBackendHealthIndicator}); switched off with {@code management.health.cachebackends.enabled=false}.
 * A cache that does not answer stays {@code UP} with {@code "unavailable": true} unless
 * {@code app.cache-health.down-when-unavailable} ({@link CacheHealthProperties}) is {@code true}: a cache outage
 * must not take the application out of a load balancer by default.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = CacheFrameworkAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnEnabledHealthIndicator("cachebackends")
@ConditionalOnBean(Caches.class)
@EnableConfigurationProperties(CacheHealthProperties.class)
public final class CacheBackendsHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "cachebackendsHealthContributor")
	HealthContributor cachebackendsHealthContributor(Caches caches, CacheHealthProperties properties) {
		return CacheBackendHealthIndicator.composite(caches, properties.isDownWhenUnavailable());
	}

}
