package com.example.canary;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * An application class outside the serialization allow-list whose deserialization has a visible side effect, as a
 * gadget's would: if {@link #deserialized} is ever set, the filter let hostile bytes run code.
 */
public class Canary implements Serializable {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * Set by {@code readObject}.
	 */
	public static volatile boolean deserialized;

	/**
	 * Some state, to compare round trips.
	 */
	public final String name;

	/**
	 * Create a canary.
	 * @param name its name
	 */
	public Canary(String name) {
		this.name = name;
	}

	@Serial
	private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
		deserialized = true;
		in.defaultReadObject();
	}

}
