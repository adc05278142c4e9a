package io.cacheframework.serializer;

import io.cacheframework.core.ValueNotStorableException;

/**
 * A value {@link PickleWriter} cannot write as a pickle Python reads back as the same data: a type with no Python
 * equivalent, a precision Python does not have (nanoseconds), a range it does not have (years outside 1-9999), keys
 * Python would merge, a cycle, or a size beyond the {@link PickleLimits}. Backends fall back to their Java format.
 *
 * @since 0.1.0
 */
public class PickleNotRepresentableException extends ValueNotStorableException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what cannot be represented, and where in the value
	 */
	public PickleNotRepresentableException(String message) {
		super(message);
	}

}
