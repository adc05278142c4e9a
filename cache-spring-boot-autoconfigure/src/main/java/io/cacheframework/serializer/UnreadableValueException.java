package io.cacheframework.serializer;

/**
 * Stored bytes that cannot be turned back into a value: corrupt, truncated, too large when decompressed, or of a
 * class the serialization filter refuses. Backends treat the entry as a miss, remove it and log a warning.
 *
 * @since 0.1.0
 */
public class UnreadableValueException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what is wrong with the bytes
	 * @param cause the underlying failure, if any
	 */
	public UnreadableValueException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Create an exception.
	 * @param message what is wrong with the bytes
	 */
	public UnreadableValueException(String message) {
		super(message);
	}

}
