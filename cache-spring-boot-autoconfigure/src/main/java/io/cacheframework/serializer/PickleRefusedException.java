package io.cacheframework.serializer;

/**
 * A pickle that asks for more than plain data: an object's state ({@code BUILD}), a class instantiated by
 * {@code INST}/{@code OBJ}/{@code NEWOBJ}, a persistent id, an extension code, an out-of-band buffer, or a Python
 * global outside the allow-list ({@link PickleGlobalRefusedException}). Nothing it describes is constructed or run.
 * Unlike a corrupt entry, this is what a hostile writer (or a Django value holding model instances) produces, so
 * backends log it as a warning.
 *
 * @since 0.1.0
 */
public class PickleRefusedException extends UnreadableValueException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message what the pickle asked for
	 */
	public PickleRefusedException(String message) {
		super(message);
	}

}
