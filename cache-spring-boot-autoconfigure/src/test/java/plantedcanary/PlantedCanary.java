package plantedcanary;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A class outside the serialization allow-list whose {@code readObject} records that it ran, standing for a gadget
 * chain planted in a shared store (a cache table row). In its own package so that no default allow-list pattern
 * covers it.
 */
public class PlantedCanary implements Serializable {

	private static final long serialVersionUID = 1L;

	/** Set if deserialization ever reaches this class's code. */
	public static final AtomicBoolean EXECUTED = new AtomicBoolean();

	private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
		EXECUTED.set(true);
		in.defaultReadObject();
	}

}
