package io.cacheframework.autoconfigure.actuate;

import io.cacheframework.actuate.CacheBackendHealthIndicator;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.core.Caches;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The health component {@code cachebackends}: one entry per alias, each memcached server in its details (see
 * {@link CacheBackendHealthIndicator}); switched off with {@code management.health.cachebackends.enabled=false}.
 * A cache that does not answer stays {@code UP} with {@code "unavailable": true} unless
 * {@value #DOWN_WHEN_UNAVAILABLE_PROPERTY} is {@code true}: a cache outage must not take the application out of a
 * load balancer by default.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = CacheFrameworkAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnEnabledHealthIndicator("cachebackends")
@ConditionalOnBean(Caches.class)
public final class CacheBackendsHealthAutoConfiguration {

	static final String DOWN_WHEN_UNAVAILABLE_PROPERTY = "app.cache-health.down-when-unavailable";

	@Bean
	@ConditionalOnMissingBean(name = "cachebackendsHealthContributor")
	HealthContributor cachebackendsHealthContributor(Caches caches, Environment environment) {
		// Bound rather than read, so that a value that is not a boolean fails startup naming the property.
		boolean downWhenUnavailable = Binder.get(environment)
			.bind(DOWN_WHEN_UNAVAILABLE_PROPERTY, Boolean.class)
			.orElse(false);
		return CacheBackendHealthIndicator.composite(caches, downWhenUnavailable);
	}

}
