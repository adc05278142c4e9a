package io.cacheframework.serializer;

/**
 * How much a pickle may cost to read: {@link PickleReader} refuses anything beyond these limits before allocating
 * for it, and {@link PickleWriter} refuses to write what the reader with the same limits would refuse, so a value
 * that could never be read back is never stored.
 *
 * @param maxBytes the largest pickle accepted, in bytes (checked before parsing; every length inside the stream is
 * checked against the bytes that remain, so no allocation exceeds the input's size)
 * @param maxDepth the deepest nesting of lists, tuples, dicts and sets
 * @param maxObjects the most values, marks and memo entries one pickle may create, and the most values its result may
 * hold when every shared reference is counted each time it appears (so memo sharing cannot multiply the work a
 * caller does when it walks the result)
 * @param maxDigits the most decimal digits of an integer or a {@code Decimal}, and the largest {@code Decimal}
 * exponent; binary integers are capped at the same magnitude (Python 3.11 itself refuses integer text longer than
 * 4300 digits)
 * @since 0.1.0
 */
public record PickleLimits(long maxBytes, int maxDepth, int maxObjects, int maxDigits) {

	/**
	 * Default maximum size of one pickle, 64 MiB (as {@link SerializationPolicy#DEFAULT_MAX_BYTES}).
	 */
	public static final long DEFAULT_MAX_BYTES = SerializationPolicy.DEFAULT_MAX_BYTES;

	/**
	 * Default maximum nesting depth.
	 */
	public static final int DEFAULT_MAX_DEPTH = 100;

	/**
	 * Default maximum number of values, marks and memo entries.
	 */
	public static final int DEFAULT_MAX_OBJECTS = 1_000_000;

	/**
	 * Default maximum number of digits of a number, Python 3.11's {@code sys.int_info.default_max_str_digits}.
	 */
	public static final int DEFAULT_MAX_DIGITS = 4300;

	/**
	 * Checks that every limit is positive.
	 * @param maxBytes the largest pickle accepted
	 * @param maxDepth the deepest nesting
	 * @param maxObjects the most values, marks and memo entries
	 * @param maxDigits the most digits of a number
	 */
	public PickleLimits {
		if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 16 || maxDepth < 1 || maxObjects < 1 || maxDigits < 1) {
			throw new IllegalArgumentException("Pickle limits must be positive (and maxBytes below 2 GiB): maxBytes="
					+ maxBytes + ", maxDepth=" + maxDepth + ", maxObjects=" + maxObjects + ", maxDigits=" + maxDigits);
		}
	}

	/**
	 * The default limits.
	 * @return 64 MiB, depth 100, one million objects, 4300 digits
	 */
	public static PickleLimits defaults() {
		return new PickleLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_DIGITS);
	}

	/**
	 * The longest binary integer ({@code LONG1}/{@code LONG4}) accepted: as many bytes as {@link #maxDigits} decimal
	 * digits need, plus one for the sign.
	 * @return bytes
	 */
	public int maxIntegerBytes() {
		return (int) Math.ceil(this.maxDigits / Math.log10(256)) + 1;
	}

}
