package io.cacheframework.autoconfigure.actuate;

import java.util.Locale;

import io.cacheframework.autoconfigure.InvalidCacheConfigurationException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.convert.converter.Converter;

/**
 * Micrometer settings of the caches ({@code app.cache-metrics.*}).
 *
 * @since 0.1.0
 */
@ConfigurationProperties(CacheMetricsProperties.PREFIX)
public class CacheMetricsProperties {

	static final String PREFIX = "app.cache-metrics";

	/**
	 * Which aliases get the operation latency timer cache.backend.operation: io times every backend except the
	 * in-memory ones (locmem, dummy), whose operations take about as long as timing them; all times those too; none
	 * switches the timer off.
	 */
	private OperationTimers operationTimers = OperationTimers.IO;

	public OperationTimers getOperationTimers() {
		return this.operationTimers;
	}

	public void setOperationTimers(OperationTimers operationTimers) {
		this.operationTimers = operationTimers;
	}

	/**
	 * Which aliases get the {@code cache.backend.operation} timer.
	 */
	public enum OperationTimers {

		/**
		 * Every backend but the in-memory ones ({@code locmem}, {@code dummy}).
		 */
		IO,

		/**
		 * Every backend.
		 */
		ALL,

		/**
		 * None.
		 */
		NONE

	}

	/**
	 * Reads {@link OperationTimers} in any letter case ({@code true} and {@code false}, accepted before the property
	 * was an enum, mean {@code all} and {@code none}); any other value fails startup naming the property.
	 */
	static class OperationTimersConverter implements Converter<String, OperationTimers> {

		@Override
		public OperationTimers convert(String source) {
			String mode = source.trim().toLowerCase(Locale.ROOT);
			return switch (mode) {
				case "io" -> OperationTimers.IO;
				case "all", "true" -> OperationTimers.ALL;
				case "none", "false" -> OperationTimers.NONE;
				default -> throw new InvalidCacheConfigurationException(PREFIX + ".operation-timers",
						"must be io, all or none, got '" + source + "'");
			};
		}

	}

}
