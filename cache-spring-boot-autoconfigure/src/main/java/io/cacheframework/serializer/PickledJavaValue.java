package io.cacheframework.serializer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * An envelope for a Java-only value in a store where Django expects every value to be a pickle (Redis, through
 * Django's {@code RedisSerializer}): a pickle of one Python {@code bytes} object holding {@link #MAGIC} followed by the
 * Java serializer's bytes. Django's {@code cache.get} unpickles it harmlessly to that {@code bytes} object (no global,
 * nothing constructed), and {@link #unwrap} tells it apart from anything Django writes by its exact shape: protocol 4,
 * one {@code BINBYTES8} opcode and {@code STOP}. CPython's pickler only uses {@code BINBYTES8} for objects of 4 GiB and
 * more, so no value a Python client pickles has this shape, and a Django {@code bytes} value that merely begins with
 * the magic is still read as Python data.
 *
 * @since 0.1.0
 */
public final class PickledJavaValue {

	/**
	 * What the {@code bytes} object Django sees begins with: {@code b"\x00cache-spring-boot:java\x00"}.
	 */
	public static final byte[] MAGIC = "\0cache-spring-boot:java\0".getBytes(StandardCharsets.US_ASCII);

	/** PROTO 4, BINBYTES8, an 8-byte length. */
	private static final int HEADER = 2 + 1 + 8;

	private PickledJavaValue() {
	}

	/**
	 * Wrap a Java-only value's bytes.
	 * @param javaBytes the bytes of the Java format (e.g. {@link DefaultValueSerializer#serialize})
	 * @return a pickle Python reads as {@code bytes}
	 */
	public static byte[] wrap(byte[] javaBytes) {
		Objects.requireNonNull(javaBytes, "javaBytes must not be null");
		long length = (long) MAGIC.length + javaBytes.length;
		byte[] pickle = new byte[HEADER + (int) length + 1];
		pickle[0] = (byte) 0x80;
		pickle[1] = 4;
		pickle[2] = (byte) 0x8e;
		for (int i = 0; i < 8; i++) {
			pickle[3 + i] = (byte) (length >>> (8 * i));
		}
		System.arraycopy(MAGIC, 0, pickle, HEADER, MAGIC.length);
		System.arraycopy(javaBytes, 0, pickle, HEADER + MAGIC.length, javaBytes.length);
		pickle[pickle.length - 1] = '.';
		return pickle;
	}

	/**
	 * The Java bytes inside a pickle made by {@link #wrap}.
	 * @param pickle any stored pickle
	 * @return the Java bytes, or {@code null} if the pickle is not exactly this envelope (read it as Python data)
	 */
	public static byte @Nullable [] unwrap(byte[] pickle) {
		Objects.requireNonNull(pickle, "pickle must not be null");
		if (pickle.length < HEADER + MAGIC.length + 1 || (pickle[0] & 0xFF) != 0x80 || pickle[1] != 4
				|| (pickle[2] & 0xFF) != 0x8e || pickle[pickle.length - 1] != '.') {
			return null;
		}
		long length = 0;
		for (int i = 0; i < 8; i++) {
			length |= (pickle[3 + i] & 0xFFL) << (8 * i);
		}
		if (length != pickle.length - HEADER - 1L
				|| !Arrays.equals(pickle, HEADER, HEADER + MAGIC.length, MAGIC, 0, MAGIC.length)) {
			return null;
		}
		return Arrays.copyOfRange(pickle, HEADER + MAGIC.length, pickle.length - 1);
	}

}
