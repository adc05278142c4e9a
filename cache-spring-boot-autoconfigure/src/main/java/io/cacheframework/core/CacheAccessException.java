package io.cacheframework.core;

/**
 * The store could not be reached or answered with an error. Backends throw it from their primitives;
 * {@link AbstractCacheBackend} turns it into a miss or a failed write, counts it and logs it (rate-limited), so it
 * never reaches the caller of the {@link CacheBackend} API.
 *
 * @since 0.1.0
 */
public class CacheAccessException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what failed
	 * @param cause the underlying failure
	 */
	public CacheAccessException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Create an exception.
	 * @param message what failed
	 */
	public CacheAccessException(String message) {
		super(message);
	}

}
