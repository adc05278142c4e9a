package io.cacheframework.serializer;

/**
 * A pickle that refers to a Python global (a class or function, e.g. {@code posix.system}, {@code builtins.eval},
 * {@code copyreg._reconstructor} or a Django model class) that is not one of the plain-data types
 * {@link PickleReader} builds. The global is refused as soon as it is named: nothing is looked up, constructed or run.
 *
 * @since 0.1.0
 */
public class PickleGlobalRefusedException extends PickleRefusedException {

	private static final long serialVersionUID = 1L;

	private final String global;

	/**
	 * Create an exception.
	 * @param global the global as {@code module.name}, with control characters escaped
	 * @param detail why it is refused
	 */
	public PickleGlobalRefusedException(String global, String detail) {
		super("pickle refers to the Python global " + global + ", which is refused: " + detail);
		this.global = global;
	}

	/**
	 * The refused global.
	 * @return {@code module.name}, e.g. {@code posix.system}
	 */
	public String global() {
		return this.global;
	}

}
