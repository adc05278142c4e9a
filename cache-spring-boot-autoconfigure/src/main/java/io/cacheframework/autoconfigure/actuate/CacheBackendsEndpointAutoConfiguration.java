package io.cacheframework.autoconfigure.actuate;

import io.cacheframework.actuate.CacheBackendsEndpoint;
import io.cacheframework.actuate.CacheBackendsEndpointWebExtension;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.core.Caches;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code cachebackends} Actuator endpoint, when Actuator is present and the endpoint is available (expose it
 * with {@code management.endpoints.web.exposure.include=cachebackends}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = CacheFrameworkAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnAvailableEndpoint(CacheBackendsEndpoint.class)
@ConditionalOnBean(Caches.class)
public final class CacheBackendsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheBackendsEndpoint cacheBackendsEndpoint(Caches caches) {
		return new CacheBackendsEndpoint(caches);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(CacheBackendsEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	CacheBackendsEndpointWebExtension cacheBackendsEndpointWebExtension(CacheBackendsEndpoint endpoint) {
		return new CacheBackendsEndpointWebExtension(endpoint);
	}

}
