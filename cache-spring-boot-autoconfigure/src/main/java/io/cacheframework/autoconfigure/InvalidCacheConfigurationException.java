package io.cacheframework.autoconfigure;

/**
 * A cache is configured wrongly; the message names the full property, e.g.
 * {@code app.caches.default.options.cull-frequency}. Startup fails with it.
 *
 * @since 0.1.0
 */
public class InvalidCacheConfigurationException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String property;

	/**
	 * Create an exception.
	 * @param property the full property name
	 * @param message what is wrong with it
	 */
	public InvalidCacheConfigurationException(String property, String message) {
		super("Invalid cache configuration: " + property + ": " + message);
		this.property = property;
	}

	/**
	 * Create an exception.
	 * @param property the full property name
	 * @param message what is wrong with it
	 * @param cause the underlying failure
	 */
	public InvalidCacheConfigurationException(String property, String message, Throwable cause) {
		super("Invalid cache configuration: " + property + ": " + message, cause);
		this.property = property;
	}

	/**
	 * The property at fault.
	 * @return the full property name
	 */
	public String getProperty() {
		return this.property;
	}

}
