package io.cacheframework.core;

/**
 * A value that cannot be stored: it cannot be serialized, its class is not allowed by the serialization filter, or
 * it is larger than the store accepts. Only the failing call is affected, and nothing is stored by it.
 *
 * @since 0.1.0
 */
public class ValueNotStorableException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what cannot be stored and why
	 * @param cause the underlying failure, if any
	 */
	public ValueNotStorableException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Create an exception.
	 * @param message what cannot be stored and why
	 */
	public ValueNotStorableException(String message) {
		super(message);
	}

}
