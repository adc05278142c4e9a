package io.cacheframework.backend.redis;

import java.util.Objects;
import java.util.Set;

import io.cacheframework.serializer.PickledJavaValue;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueCodec.Kind;
import org.jspecify.annotations.Nullable;

/**
 * Values as Django's {@code RedisSerializer} stores them, so that a Django {@code RedisCache} and this backend read
 * each other's keys: a Python {@code int} is its decimal text (so that Redis's own {@code INCRBY} works on it), every
 * other value is a pickle. Redis has no flags beside a value, so the Java types that matter are told apart by the
 * form of the pickle:
 *
 * <table>
 * <caption>What is stored</caption>
 * <tr><th>Java value</th><th>stored as</th><th>Django reads</th></tr>
 * <tr><td>{@code Integer}</td><td>decimal text</td><td>{@code int}</td></tr>
 * <tr><td>{@code Long}</td><td>value-format java: a pickle of exactly {@code PROTO 4, LONG1 8 bytes, STOP} (a shape
 * CPython never writes: it would frame it and use the fewest bytes); pickle: decimal text</td><td>{@code int}</td></tr>
 * <tr><td>{@code String}, {@code byte[]}, {@code Boolean}, {@code Double}, {@code null}</td><td>a pickle</td>
 * <td>{@code str}, {@code bytes}, {@code bool}, {@code float}, {@code None}</td></tr>
 * <tr><td>maps, lists, sets, dates, decimals...</td><td>value-format pickle: a pickle; java: as below</td><td>their
 * Python equivalents</td></tr>
 * <tr><td>anything else</td><td>{@link PickledJavaValue}: a pickle of one {@code bytes} object holding the
 * {@link io.cacheframework.serializer.ValueSerializer}'s bytes</td><td>{@code bytes}, harmlessly</td></tr>
 * </table>
 *
 * Reading follows Django's {@code loads}: decimal text is an integer ({@code Integer} when it fits, else
 * {@code Long}; at most {@value ValueCodec#MAX_DIGITS} digits), anything else is read by the restricted
 * {@link io.cacheframework.serializer.PickleReader}: a pickle that names any other global is refused, nothing is
 * constructed or run.
 */
final class RedisWireFormat {

	/** {@code PROTO 4}, {@code LONG1} of 8 bytes: the head of a Java {@code Long}. */
	static final byte[] LONG_HEAD = { (byte) 0x80, 4, (byte) 0x8a, 8 };

	/** The length of a stored Java {@code Long}: head, 8 bytes little-endian, {@code STOP}. */
	static final int LONG_LENGTH = LONG_HEAD.length + 8 + 1;

	/** The longest decimal text read as an integer: a sign, the digits, and whitespace Python's int() skips. */
	private static final int MAX_DECIMAL_BYTES = 32;

	private final ValueCodec codec;

	/**
	 * @param codec the codec that writes pickles and the Java-only format
	 */
	RedisWireFormat(ValueCodec codec) {
		this.codec = Objects.requireNonNull(codec, "codec must not be null");
	}

	/**
	 * How values without a native form are written.
	 * @return the format
	 */
	ValueCodec.Format format() {
		return this.codec.format();
	}

	/**
	 * A value as stored.
	 * @param value the value
	 * @return the bytes for Redis
	 * @throws io.cacheframework.core.ValueNotStorableException if the value cannot be stored
	 */
	byte[] encode(@Nullable Object value) {
		if (value instanceof Integer number) {
			return ValueCodec.decimal(number);
		}
		if (value instanceof Long number) {
			return (this.codec.format() == ValueCodec.Format.PICKLE) ? ValueCodec.decimal(number) : javaLong(number);
		}
		if (value == null || value instanceof String || value instanceof byte[] || value instanceof Boolean
				|| value instanceof Double) {
			// Python has these exact types: the pickle reads back as the same Java type.
			return this.codec.pickle(value);
		}
		ValueCodec.Stored stored = this.codec.encode(value, Set.of(Kind.PICKLE));
		return (stored.kind() == Kind.PICKLE) ? stored.data() : PickledJavaValue.wrap(stored.data());
	}

	/**
	 * A stored value.
	 * @param data the bytes from Redis
	 * @return the value
	 * @throws UnreadableValueException if it is corrupt, over a limit, or a pickle that asks for anything but plain
	 * data
	 */
	@Nullable Object decode(byte[] data) {
		if (data == BoundedByteArrayCodec.TOO_LARGE) {
			throw new UnreadableValueException("a value larger than " + BoundedByteArrayCodec.MAX_VALUE_BYTES
					+ " bytes");
		}
		if (isDecimal(data)) {
			return ValueCodec.parseInteger(withoutUnderscores(data), false);
		}
		if (isJavaLong(data)) {
			return readLong(data, LONG_HEAD.length);
		}
		byte[] java = PickledJavaValue.unwrap(data);
		if (java != null) {
			return this.codec.decode(Kind.JAVA, java);
		}
		return this.codec.unpickle(data);
	}

	/**
	 * A Java {@code Long} in the one pickle shape that reads back as {@code Long}.
	 * @param number the number
	 * @return the pickle
	 */
	static byte[] javaLong(long number) {
		byte[] data = new byte[LONG_LENGTH];
		System.arraycopy(LONG_HEAD, 0, data, 0, LONG_HEAD.length);
		littleEndian(number, data, LONG_HEAD.length);
		data[LONG_LENGTH - 1] = '.';
		return data;
	}

	/**
	 * Whether stored bytes are a Java {@code Long} written by {@link #javaLong(long)}.
	 * @param data stored bytes
	 * @return whether they are
	 */
	static boolean isJavaLong(byte[] data) {
		if (data.length != LONG_LENGTH || data[LONG_LENGTH - 1] != '.') {
			return false;
		}
		for (int i = 0; i < LONG_HEAD.length; i++) {
			if (data[i] != LONG_HEAD[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Eight bytes, little-endian two's complement, as pickle's {@code LONG1} and the counter script read them.
	 * @param number the number
	 * @param target where to write
	 * @param offset from where
	 */
	static void littleEndian(long number, byte[] target, int offset) {
		for (int i = 0; i < 8; i++) {
			target[offset + i] = (byte) (number >>> (8 * i));
		}
	}

	static long readLong(byte[] data, int offset) {
		long number = 0;
		for (int i = 0; i < 8; i++) {
			number |= (data[offset + i] & 0xFFL) << (8 * i);
		}
		return number;
	}

	/**
	 * What Python's {@code int(data)} accepts of ASCII: optional whitespace, an optional sign, digits with single
	 * underscores between them, optional whitespace. Django's {@code loads} tries that before unpickling; a pickle
	 * never has this form (it starts with an opcode and ends with {@code .}).
	 */
	static boolean isDecimal(byte[] data) {
		if (data.length == 0 || data.length > MAX_DECIMAL_BYTES) {
			return false;
		}
		int i = 0;
		int end = data.length;
		while (i < end && isSpace(data[i])) {
			i++;
		}
		while (end > i && isSpace(data[end - 1])) {
			end--;
		}
		if (i < end && (data[i] == '+' || data[i] == '-')) {
			i++;
		}
		if (i == end) {
			return false;
		}
		boolean digitBefore = false;
		for (; i < end; i++) {
			byte b = data[i];
			if (b >= '0' && b <= '9') {
				digitBefore = true;
			}
			else if (b == '_' && digitBefore && i + 1 < end && data[i + 1] >= '0' && data[i + 1] <= '9') {
				digitBefore = false;
			}
			else {
				return false;
			}
		}
		return true;
	}

	private static boolean isSpace(byte b) {
		return b == ' ' || (b >= '\t' && b <= '\r');
	}

	private static byte[] withoutUnderscores(byte[] data) {
		int underscores = 0;
		for (byte b : data) {
			if (b == '_') {
				underscores++;
			}
		}
		if (underscores == 0) {
			return data;
		}
		byte[] digits = new byte[data.length - underscores];
		int j = 0;
		for (byte b : data) {
			if (b != '_') {
				digits[j++] = b;
			}
		}
		return digits;
	}

}
