package io.cacheframework.autoconfigure.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Health settings of the caches ({@code app.cache-health.*}).
 *
 * @since 0.1.0
 */
@ConfigurationProperties("app.cache-health")
public class CacheHealthProperties {

	/**
	 * Whether a cache alias whose store does not answer at all (every memcached server down, the table or the
	 * directory unusable) reports DOWN in the cachebackends health component, which makes /actuator/health DOWN
	 * (HTTP 503). By default it reports UP with the details degraded: true and unavailable: true, since its calls
	 * are then only misses.
	 */
	private boolean downWhenUnavailable;

	public boolean isDownWhenUnavailable() {
		return this.downWhenUnavailable;
	}

	public void setDownWhenUnavailable(boolean downWhenUnavailable) {
		this.downWhenUnavailable = downWhenUnavailable;
	}

}
