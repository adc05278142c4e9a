package io.cacheframework.serializer;

import io.cacheframework.core.ValueNotStorableException;
import org.jspecify.annotations.Nullable;

/**
 * Turns cache values into bytes and back, for backends whose store holds bytes (file system, database, memcached
 * for non-native types) and for the local-memory backend's copies of mutable values.
 *
 * <p>Implementations must be safe against hostile bytes: whoever can write to a shared store must not be able to
 * run code in the reading JVM. {@link DefaultValueSerializer} is the safe default.
 *
 * @since 0.1.0
 */
public interface ValueSerializer {

	/**
	 * Serialize a value.
	 * @param value the value, possibly {@code null}
	 * @return the bytes
	 * @throws ValueNotStorableException if the value cannot be serialized or is not allowed
	 */
	byte[] serialize(@Nullable Object value);

	/**
	 * Deserialize bytes made by {@link #serialize}.
	 * @param data the bytes
	 * @return the value, possibly {@code null}
	 * @throws UnreadableValueException if the bytes are corrupt or describe a class that is not allowed; the
	 * caller treats the entry as a miss
	 */
	@Nullable Object deserialize(byte[] data);

}
