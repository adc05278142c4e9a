package io.cacheframework.core;

/**
 * Told how long each store operation of a backend took (see
 * {@link AbstractCacheBackend#setOperationListener(CacheOperationListener)}), e.g. to feed a Micrometer timer. Called
 * on the caller's thread after the operation, failed ones included; keep it cheap and never throw.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface CacheOperationListener {

	/**
	 * An operation finished.
	 * @param operation the operation
	 * @param nanos how long the backend primitive took, in nanoseconds
	 */
	void operationCompleted(CacheOperation operation, long nanos);

}
