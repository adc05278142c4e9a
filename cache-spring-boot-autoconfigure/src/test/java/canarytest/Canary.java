package canarytest;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * A class outside the serialization allow-list whose deserialization is observable: tests write its bytes into a
 * shared store and prove it is never read.
 */
public class Canary implements Serializable {

	private static final long serialVersionUID = 1L;

	/** Set if an instance was ever deserialized. */
	public static volatile boolean deserialized;

	private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
		in.defaultReadObject();
		deserialized = true;
	}

}
