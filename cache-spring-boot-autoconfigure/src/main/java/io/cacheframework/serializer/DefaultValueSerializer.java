package io.cacheframework.serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamException;
import java.io.ObjectStreamClass;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.cacheframework.core.ValueNotStorableException;
import org.jspecify.annotations.Nullable;

/**
 * The safe default {@link ValueSerializer}. The first byte tags the type: {@code null}, {@code String},
 * {@code Integer}, {@code Long}, {@code byte[]}, {@code Boolean} and {@code Double} are written natively and never
 * touch Java serialization; any other value is Java-serialized and read back only through the
 * {@link SerializationPolicy}'s {@link java.io.ObjectInputFilter} (allow-list plus depth, reference, array and size
 * limits). A class the policy refuses fails {@link #serialize} with a clear message, so a value that could never be
 * read back is never stored.
 *
 * @since 0.1.0
 */
public final class DefaultValueSerializer implements ValueSerializer {

	static final byte NULL = 0;

	static final byte STRING = 1;

	static final byte INTEGER = 2;

	static final byte LONG = 3;

	static final byte BYTES = 4;

	static final byte BOOLEAN = 5;

	static final byte DOUBLE = 6;

	static final byte JAVA = 16;

	private final SerializationPolicy policy;

	/**
	 * A serializer with the {@link SerializationPolicy#defaults() default policy}.
	 */
	public DefaultValueSerializer() {
		this(SerializationPolicy.defaults());
	}

	/**
	 * A serializer with a policy.
	 * @param policy what may be read back
	 */
	public DefaultValueSerializer(SerializationPolicy policy) {
		this.policy = Objects.requireNonNull(policy, "policy must not be null");
	}

	/**
	 * The policy.
	 * @return the policy
	 */
	public SerializationPolicy policy() {
		return this.policy;
	}

	@Override
	public byte[] serialize(@Nullable Object value) {
		if (value == null) {
			return new byte[] { NULL };
		}
		if (value instanceof String string) {
			return tagged(STRING, string.getBytes(StandardCharsets.UTF_8));
		}
		if (value instanceof Integer number) {
			return ByteBuffer.allocate(5).put(INTEGER).putInt(number).array();
		}
		if (value instanceof Long number) {
			return ByteBuffer.allocate(9).put(LONG).putLong(number).array();
		}
		if (value instanceof byte[] bytes) {
			return tagged(BYTES, bytes);
		}
		if (value instanceof Boolean bool) {
			return new byte[] { BOOLEAN, (byte) (bool ? 1 : 0) };
		}
		if (value instanceof Double number) {
			return ByteBuffer.allocate(9).put(DOUBLE).putDouble(number).array();
		}
		return javaSerialize(value);
	}

	private static byte[] tagged(byte tag, byte[] payload) {
		byte[] result = new byte[payload.length + 1];
		result[0] = tag;
		System.arraycopy(payload, 0, result, 1, payload.length);
		return result;
	}

	private byte[] javaSerialize(Object value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		bytes.write(JAVA);
		try (ObjectOutputStream out = new PolicyCheckingOutputStream(bytes, this.policy)) {
			out.writeObject(value);
		}
		catch (NotSerializableException ex) {
			throw new ValueNotStorableException("Cannot cache a " + value.getClass().getName()
					+ ": it contains a value of " + ex.getMessage() + ", which is not Serializable", ex);
		}
		catch (ValueNotStorableException ex) {
			throw ex;
		}
		catch (StackOverflowError ex) {
			// A user's deeply nested value must fail its set, not take the caller's thread down with an Error.
			throw new ValueNotStorableException(
					"Cannot cache a " + value.getClass().getName() + ": it is nested too deeply to serialize", ex);
		}
		catch (IOException | RuntimeException ex) {
			throw new ValueNotStorableException(
					"Cannot cache a " + value.getClass().getName() + ": serialization failed: " + ex, ex);
		}
		if (bytes.size() - 1 > this.policy.maxBytes()) {
			throw new ValueNotStorableException("Cannot cache a " + value.getClass().getName() + ": "
					+ (bytes.size() - 1) + " bytes serialized, over the limit of " + this.policy.maxBytes());
		}
		byte[] result = bytes.toByteArray();
		// The filter's depth, reference and array limits can only be measured by reading: a value over them would
		// be stored and then read as a miss on every get. Read it back once so that it fails here instead.
		try {
			javaDeserialize(result);
		}
		catch (UnreadableValueException ex) {
			throw new ValueNotStorableException("Cannot cache a " + value.getClass().getName()
					+ ": it could not be read back (" + ex.getMessage() + "). It is nested deeper, has more objects"
					+ " or a longer array than app.cache-serialization.max-depth, app.cache-serialization.max-references"
					+ " or app.cache-serialization.max-array-length allow", ex);
		}
		return result;
	}

	@Override
	public @Nullable Object deserialize(byte[] data) {
		if (data.length == 0) {
			throw new UnreadableValueException("empty value");
		}
		ByteBuffer buffer = ByteBuffer.wrap(data, 1, data.length - 1);
		switch (data[0]) {
			case NULL -> {
				expectLength(data, 1);
				return null;
			}
			case STRING -> {
				return new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
			}
			case INTEGER -> {
				expectLength(data, 5);
				return buffer.getInt();
			}
			case LONG -> {
				expectLength(data, 9);
				return buffer.getLong();
			}
			case BYTES -> {
				byte[] result = new byte[data.length - 1];
				System.arraycopy(data, 1, result, 0, result.length);
				return result;
			}
			case BOOLEAN -> {
				expectLength(data, 2);
				return data[1] != 0;
			}
			case DOUBLE -> {
				expectLength(data, 9);
				return buffer.getDouble();
			}
			case JAVA -> {
				return javaDeserialize(data);
			}
			default -> throw new UnreadableValueException("unknown value type tag " + data[0]);
		}
	}

	private static void expectLength(byte[] data, int length) {
		if (data.length != length) {
			throw new UnreadableValueException(
					"value of type tag " + data[0] + " has " + data.length + " bytes, expected " + length);
		}
	}

	private @Nullable Object javaDeserialize(byte[] data) {
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
			in.setObjectInputFilter(this.policy.filter());
			Object value = in.readObject();
			if (in.read() != -1) {
				throw new UnreadableValueException("trailing bytes after the serialized value");
			}
			return value;
		}
		catch (InvalidClassException ex) {
			// The filter's refusal arrives as InvalidClassException ("filter status: REJECTED").
			throw new UnreadableValueException("refused by the serialization filter: " + ex.getMessage(), ex);
		}
		catch (IOException | ClassNotFoundException | RuntimeException | StackOverflowError ex) {
			throw new UnreadableValueException("corrupt serialized value: " + ex, ex);
		}
	}

	/**
	 * Checks each object's class against the policy as it is written.
	 */
	private static final class PolicyCheckingOutputStream extends ObjectOutputStream {

		private final SerializationPolicy policy;

		private boolean writingFailure;

		PolicyCheckingOutputStream(ByteArrayOutputStream out, SerializationPolicy policy) throws IOException {
			super(out);
			this.policy = policy;
			enableReplaceObject(true);
		}

		@Override
		protected Object replaceObject(Object obj) {
			if (obj instanceof ObjectStreamException) {
				// After a failure (e.g. NotSerializableException) ObjectOutputStream writes the exception itself into
				// the stream; checking it would replace the real cause with "java.io.NotSerializableException is
				// not allowed". The bytes are discarded anyway.
				this.writingFailure = true;
				return obj;
			}
			check(obj.getClass());
			return obj;
		}

		@Override
		protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
			Class<?> type = desc.forClass();
			if (type != null && !this.writingFailure) {
				check(type);
			}
			super.writeClassDescriptor(desc);
		}

		private void check(Class<?> type) {
			if (!this.policy.isAllowed(type)) {
				throw new ValueNotStorableException("Cannot cache a value containing " + type.getName()
						+ ": the class is not allowed by the cache serialization filter. Allow it with the property"
						+ " app.cache-serialization.allowed-classes (e.g. '" + type.getPackageName() + ".**').");
			}
		}

	}

}
