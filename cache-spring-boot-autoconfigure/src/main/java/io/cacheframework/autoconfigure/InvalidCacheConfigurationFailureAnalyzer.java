package io.cacheframework.autoconfigure;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Reports a bad cache setting as Spring Boot reports bad configuration: the property, its value and where it was
 * set (the file and line, where Boot knows them), what is wrong, and the valid names for an unknown one.
 *
 * <p>It runs before Spring Boot's own analyzers: the exception often wraps the failure that revealed the problem
 * (a missing bean, a bind error), and their analysis would blame the bean that happened to need the caches first
 * instead of the property.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidCacheConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCacheConfigurationException> {

	private static final Pattern SECRET = Pattern.compile("password|secret|token|credential");

	private static final Pattern USER_INFO = Pattern.compile("(://[^/@:]*:)[^/@]*@");

	private final @Nullable Environment environment;

	InvalidCacheConfigurationFailureAnalyzer(@Nullable Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidCacheConfigurationException cause) {
		String property = cause.getProperty();
		ConfigurationProperty configured = find(property);
		StringBuilder description = new StringBuilder();
		description.append("Invalid cache configuration: ").append(property).append(": ").append(cause.getReason());
		description.append(String.format("%n%n    Property: %s", property));
		if (configured != null) {
			description.append(String.format("%n    Value: \"%s\"", shown(property, configured.getValue())));
			if (configured.getOrigin() != null) {
				description.append(String.format("%n    Origin: %s", configured.getOrigin()));
			}
		}
		StringBuilder action = new StringBuilder("Correct the property '").append(property)
			.append("' in your application configuration.");
		if (!cause.getValidNames().isEmpty()) {
			action.append(" Valid names in its place: ").append(String.join(", ", cause.getValidNames())).append('.');
		}
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

	/**
	 * The value as it may appear in a log: a secret is masked, and so is the password of a URL such as
	 * {@code redis://user:password@host}.
	 */
	static String shown(String property, @Nullable Object value) {
		String last = property.substring(property.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
		if (SECRET.matcher(last).find()) {
			return "******";
		}
		return USER_INFO.matcher(String.valueOf(value)).replaceAll("$1******@");
	}

	/**
	 * The property as configured, from the source that wins; {@code null} when it is not set (a default is at fault,
	 * or the property names a group such as {@code app.caches.default}).
	 */
	private @Nullable ConfigurationProperty find(String property) {
		if (this.environment == null) {
			return null;
		}
		// adapt, not of: an alias may be written in camelCase, which is not a canonical name element.
		ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty configured = source.getConfigurationProperty(name);
			if (configured != null) {
				return configured;
			}
		}
		return null;
	}

}
