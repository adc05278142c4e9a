package io.cacheframework.autoconfigure;

import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A cache is configured wrongly; the message names the full property, e.g.
 * {@code app.caches.default.options.cull-frequency}. Startup fails with it, and its failure analysis adds where the
 * property was set (file and line) and, for an unknown name, the valid names.
 *
 * @since 0.1.0
 */
public class InvalidCacheConfigurationException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String property;

	private final String reason;

	private final List<String> validNames;

	/**
	 * Create an exception.
	 * @param property the full property name
	 * @param message what is wrong with it
	 */
	public InvalidCacheConfigurationException(String property, String message) {
		this(property, message, List.of(), null);
	}

	/**
	 * Create an exception.
	 * @param property the full property name
	 * @param message what is wrong with it
	 * @param cause the underlying failure
	 */
	public InvalidCacheConfigurationException(String property, String message, Throwable cause) {
		this(property, message, List.of(), cause);
	}

	/**
	 * Create an exception for a name that is not one of a known set (an unknown property or option).
	 * @param property the full property name
	 * @param message what is wrong with it
	 * @param validNames the names that would have been valid in its place; listed in the message
	 * @param cause the underlying failure, if any
	 */
	public InvalidCacheConfigurationException(String property, String message, Collection<String> validNames,
			@Nullable Throwable cause) {
		super(message(property, message, validNames), cause);
		this.property = property;
		this.reason = message;
		this.validNames = List.copyOf(validNames);
	}

	private static String message(String property, String message, Collection<String> validNames) {
		String text = "Invalid cache configuration: " + property + ": " + message;
		return validNames.isEmpty() ? text : text + "; valid names: " + String.join(", ", validNames);
	}

	/**
	 * The property at fault.
	 * @return the full property name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * What is wrong with the property, without the property's name.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * The names that would have been valid in the property's place, for an unknown name.
	 * @return the valid names, empty when the name itself is not at fault
	 */
	public List<String> getValidNames() {
		return this.validNames;
	}

}
