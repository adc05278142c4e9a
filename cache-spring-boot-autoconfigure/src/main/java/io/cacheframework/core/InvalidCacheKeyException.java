package io.cacheframework.core;

/**
 * A key that the store cannot accept: Django's {@code InvalidCacheKey}. The memcached backend throws it, before any
 * I/O, for a made key over 250 bytes or one containing whitespace or control characters; other backends log a
 * {@code CacheKeyWarning} instead. Every backend throws it, before any I/O, for a made key with a lone surrogate:
 * such a key has no UTF-8 form and would share an entry with another key.
 *
 * @since 0.1.0
 */
public class InvalidCacheKeyException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message Django's message for the problem
	 */
	public InvalidCacheKeyException(String message) {
		super(message);
	}

}
