package io.cacheframework.serializer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

import io.cacheframework.core.ValueNotStorableException;
import org.jspecify.annotations.Nullable;

/**
 * The one place where a cache value becomes stored bytes and back. It decides the {@link Kind} a value is stored as
 * (text, an integer, raw bytes, a Python pickle, or the {@link ValueSerializer}'s bytes), writes each kind the way
 * Django's clients do, and bounds everything it reads: integers at {@value #MAX_DIGITS} digits (memcached's
 * counters, and every Python {@code int} its {@code incr} accepts), pickles by {@link PickleLimits}, inflated data by
 * the caller's limit.
 *
 * <p>Each backend keeps, beside its code, the table from a kind to its store's marker: memcached's flags, the
 * database's type markers, the file header. A backend passes the kinds its store can tell apart to
 * {@link #encode(Object, Set)}; a value whose natural kind it cannot hold is stored as {@link Kind#JAVA}.
 *
 * @since 0.1.0
 */
public final class ValueCodec {

	/**
	 * The most digits of a stored integer that are read: memcached's counters are unsigned 64-bit, 20 digits.
	 */
	public static final int MAX_DIGITS = 20;

	/**
	 * The most bytes of a stored integer: a sign, the digits, and the spaces memcached's {@code decr} pads with.
	 */
	private static final int MAX_INTEGER_BYTES = 32;

	/**
	 * How a value is stored.
	 */
	public enum Kind {

		/** A {@code byte[]}, as is (Python {@code bytes}). */
		BYTES,

		/** A {@code String}, UTF-8 (Python {@code str}). */
		TEXT,

		/** An {@code Integer}, ASCII decimal (Python {@code int}). */
		INTEGER,

		/** A {@code Long}, ASCII decimal (Python {@code int}; python-memcached's {@code long}). */
		LONG,

		/** A Python pickle: what Django stores for every other value, and what {@link Format#PICKLE} writes. */
		PICKLE,

		/** The {@link ValueSerializer}'s bytes: Java-only. */
		JAVA

	}

	/**
	 * How values without a text, integer or bytes form are written ({@code options.value-format}).
	 */
	public enum Format {

		/** The {@link ValueSerializer}: Java types round-trip exactly; Python clients see opaque bytes. */
		JAVA,

		/**
		 * A pickle (protocol 4) where Python has an equivalent (maps, lists, sets, floats, booleans, decimals, dates
		 * and times), so Django reads them; they read back in Java as the generic types {@link PickleReader} builds.
		 * Other values fall back to {@link #JAVA}.
		 */
		PICKLE

	}

	/**
	 * A value as stored.
	 *
	 * @param kind how it is stored
	 * @param data the stored bytes
	 */
	public record Stored(Kind kind, byte[] data) {

		/**
		 * Validate.
		 * @param kind the kind
		 * @param data the bytes
		 */
		public Stored {
			Objects.requireNonNull(kind, "kind must not be null");
			Objects.requireNonNull(data, "data must not be null");
		}

	}

	private final ValueSerializer serializer;

	private final Format format;

	private final PickleReader pickleReader;

	private final PickleWriter pickleWriter;

	/**
	 * A codec writing Java's format.
	 * @param serializer makes the bytes of {@link Kind#JAVA} values
	 */
	public ValueCodec(ValueSerializer serializer) {
		this(serializer, Format.JAVA, PickleLimits.defaults());
	}

	/**
	 * A codec.
	 * @param serializer makes the bytes of {@link Kind#JAVA} values
	 * @param format how values without a text, integer or bytes form are written
	 * @param pickleLimits bounds for reading and writing pickles
	 */
	public ValueCodec(ValueSerializer serializer, Format format, PickleLimits pickleLimits) {
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		this.format = Objects.requireNonNull(format, "format must not be null");
		this.pickleReader = new PickleReader(pickleLimits);
		this.pickleWriter = new PickleWriter(pickleLimits);
	}

	/**
	 * The serializer of {@link Kind#JAVA} values.
	 * @return the serializer
	 */
	public ValueSerializer serializer() {
		return this.serializer;
	}

	/**
	 * How values without a native form are written.
	 * @return the format
	 */
	public Format format() {
		return this.format;
	}

	/**
	 * Encode a value as the first of its kinds the store can hold: its natural kind (text, integer, bytes), a pickle
	 * when the format is {@link Format#PICKLE} and Python can represent it, else {@link Kind#JAVA}.
	 * @param value the value
	 * @param storable the kinds the store can tell apart ({@link Kind#JAVA} is always possible)
	 * @return the stored form
	 * @throws ValueNotStorableException if the value cannot be stored
	 */
	public Stored encode(@Nullable Object value, Set<Kind> storable) {
		if (value instanceof String text && storable.contains(Kind.TEXT)) {
			return new Stored(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
		}
		if (value instanceof Integer number && storable.contains(Kind.INTEGER)) {
			return new Stored(Kind.INTEGER, decimal(number));
		}
		if (value instanceof Long number && storable.contains(Kind.LONG)) {
			return new Stored(Kind.LONG, decimal(number));
		}
		if (value instanceof byte[] bytes && storable.contains(Kind.BYTES)) {
			return new Stored(Kind.BYTES, bytes);
		}
		if (this.format == Format.PICKLE && storable.contains(Kind.PICKLE)) {
			try {
				return new Stored(Kind.PICKLE, this.pickleWriter.write(value));
			}
			catch (PickleNotRepresentableException ex) {
				// No Python equivalent: the Java format keeps the value, Python clients see opaque bytes.
			}
		}
		return new Stored(Kind.JAVA, this.serializer.serialize(value));
	}

	/**
	 * Decode a stored value.
	 * @param kind how it was stored
	 * @param data the stored bytes
	 * @return the value
	 * @throws UnreadableValueException if the bytes are corrupt, over a limit, or refused (a
	 * {@link PickleRefusedException} for a pickle that would construct anything but plain data)
	 */
	public @Nullable Object decode(Kind kind, byte[] data) {
		return switch (kind) {
			case BYTES -> data;
			case TEXT -> new String(data, StandardCharsets.UTF_8);
			case INTEGER -> parseInteger(data, false);
			case LONG -> parseInteger(data, true);
			case PICKLE -> this.pickleReader.read(data);
			case JAVA -> this.serializer.deserialize(data);
		};
	}

	/**
	 * A pickle, written for Python readers whatever the {@link #format()}.
	 * @param value the value
	 * @return the pickle
	 * @throws PickleNotRepresentableException if Python has no equivalent
	 */
	public byte[] pickle(@Nullable Object value) {
		return this.pickleWriter.write(value);
	}

	/**
	 * Read a pickle.
	 * @param data the pickle
	 * @return the plain data it holds
	 * @throws UnreadableValueException if it is corrupt, over a limit, or refused
	 */
	public @Nullable Object unpickle(byte[] data) {
		return this.pickleReader.read(data);
	}

	/**
	 * An integer as ASCII decimal, the form memcached's {@code incr} and Python's {@code int()} read.
	 * @param number the number
	 * @return the text
	 */
	public static byte[] decimal(long number) {
		return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Python's {@code int(value)} of stored text: an {@code Integer} while it fits (unless a {@code Long} was stored),
	 * then a {@code Long}, then a {@code BigInteger} (memcached counters are unsigned 64-bit). Text longer than
	 * {@value #MAX_DIGITS} digits is refused before any parsing: {@code new BigInteger} takes time quadratic in the
	 * digits, so a planted value of a million digits would cost seconds on every read.
	 * @param data the text
	 * @param isLong whether a {@code Long} was stored
	 * @return the number
	 * @throws UnreadableValueException if it is not an integer or too long
	 */
	public static Number parseInteger(byte[] data, boolean isLong) {
		if (data.length > MAX_INTEGER_BYTES) {
			throw new UnreadableValueException(
					"an integer of " + data.length + " bytes; at most " + MAX_DIGITS + " digits are read");
		}
		String text = new String(data, StandardCharsets.US_ASCII).trim();
		int digits = text.startsWith("-") ? text.length() - 1 : text.length();
		if (digits > MAX_DIGITS) {
			throw new UnreadableValueException("an integer of " + digits + " digits; at most " + MAX_DIGITS
					+ " are read");
		}
		try {
			long value = Long.parseLong(text);
			if (!isLong && value == (int) value) {
				return (int) value;
			}
			return value;
		}
		catch (NumberFormatException ex) {
			try {
				return new BigInteger(text);
			}
			catch (NumberFormatException notANumber) {
				throw new UnreadableValueException("not an integer: '" + text.replaceAll("\\p{Cntrl}", "?") + "'",
						notANumber);
			}
		}
	}

	/**
	 * Compress bytes if that makes them smaller (zlib, the format python-memcached and Django's file cache use).
	 * @param data the bytes
	 * @return the compressed bytes, or {@code null} if compressing does not make them smaller
	 */
	public static byte @Nullable [] compress(byte[] data) {
		byte[] compressed = Zlib.compress(data);
		return (compressed.length < data.length) ? compressed : null;
	}

	/**
	 * Inflate compressed bytes, refusing data that would inflate beyond a limit.
	 * @param data zlib data
	 * @param maxLength the largest inflated size accepted
	 * @return the bytes
	 * @throws UnreadableValueException if the data is corrupt or too large
	 */
	public static byte[] decompress(byte[] data, long maxLength) {
		return Zlib.decompress(data, maxLength);
	}

}
