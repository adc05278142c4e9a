package io.cacheframework.core;

import java.util.Locale;

/**
 * The store operations {@link AbstractCacheBackend} reports to a {@link CacheOperationListener}, one per call to a
 * backend primitive. {@code getOrSet} is reported as the {@link #GET} and {@link #ADD} it performs, so the time the
 * supplier takes is not counted as cache latency; {@code incrVersion} as its get, set and delete.
 *
 * @since 0.1.0
 */
public enum CacheOperation {

	/** A read of one key. */
	GET,

	/** A write of one key. */
	SET,

	/** A write if absent. */
	ADD,

	/** A new expiry. */
	TOUCH,

	/** A removal of one key. */
	DELETE,

	/** A presence check. */
	HAS_KEY,

	/** A bulk read. */
	GET_MANY,

	/** A bulk write. */
	SET_MANY,

	/** A bulk removal. */
	DELETE_MANY,

	/** An increment or decrement. */
	INCR,

	/** A clear of the whole store. */
	CLEAR;

	private final String tagValue = name().toLowerCase(Locale.ROOT);

	/**
	 * The name used in metrics, Django's method name: {@code get}, {@code set}, {@code get_many}, ...
	 * @return the name
	 */
	public String tagValue() {
		return this.tagValue;
	}

}
