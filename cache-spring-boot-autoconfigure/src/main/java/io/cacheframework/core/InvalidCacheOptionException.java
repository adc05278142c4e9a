package io.cacheframework.core;

import java.util.Objects;

/**
 * A backend option has a value the backend cannot use. Thrown by backends and their options classes when they are
 * built; the auto-configuration reports it naming the full property ({@code app.caches.<alias>.options.<option>}).
 *
 * @since 0.1.0
 */
public class InvalidCacheOptionException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String option;

	/**
	 * Create an exception.
	 * @param option the option's name in its dashed form, e.g. {@code operation-timeout}
	 * @param message what is wrong with its value
	 */
	public InvalidCacheOptionException(String option, String message) {
		super(Objects.requireNonNull(option, "option must not be null") + ": " + message);
		this.option = option;
	}

	/**
	 * The option's name in its dashed form.
	 * @return the option
	 */
	public String option() {
		return this.option;
	}

}
