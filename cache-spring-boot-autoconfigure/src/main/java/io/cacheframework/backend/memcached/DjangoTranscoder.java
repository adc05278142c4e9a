package io.cacheframework.backend.memcached;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueSerializer;
import io.cacheframework.serializer.Zlib;
import net.spy.memcached.CachedData;
import net.spy.memcached.transcoders.Transcoder;
import org.jspecify.annotations.Nullable;

/**
 * Encodes values the way Django's memcached clients (pymemcache, python-memcached, pylibmc) do, so that a Django
 * application and a Spring application sharing a memcached server read each other's strings, numbers and bytes,
 * and memcached's own {@code incr}/{@code decr} work on our numbers.
 *
 * <table>
 * <caption>Flags</caption>
 * <tr><th>Java value</th><th>flags</th><th>payload</th></tr>
 * <tr><td>{@code byte[]}</td><td>0</td><td>raw</td></tr>
 * <tr><td>{@code Integer}</td><td>2</td><td>ASCII decimal</td></tr>
 * <tr><td>{@code Long}</td><td>4</td><td>ASCII decimal</td></tr>
 * <tr><td>{@code String}</td><td>16</td><td>UTF-8</td></tr>
 * <tr><td>anything else, {@code null}</td><td>{@value #JAVA}</td><td>the {@link ValueSerializer}'s bytes</td></tr>
 * <tr><td>compressed (any of the above, above the threshold)</td><td>| 8</td><td>zlib</td></tr>
 * </table>
 * The Java flag has none of the low five bits set: python-memcached tests flags bit by bit, pymemcache and pylibmc
 * hand unknown flags back as bytes, so no Python client ever tries to unpickle our bytes. spymemcached's stock
 * {@code SerializingTranscoder} cannot be used: its "compressed" flag (2) is Python's "integer", and it writes
 * integers in binary.
 */
final class DjangoTranscoder implements Transcoder<Object> {

	/** Raw bytes (Python {@code bytes}). */
	static final int BYTES = 0;

	/** Python pickle: never read by the Java side. */
	static final int PICKLE = 1;

	/** Python {@code int}, ASCII decimal. */
	static final int INTEGER = 2;

	/** Python 2 {@code long} / pylibmc's int, ASCII decimal. */
	static final int LONG = 4;

	/** zlib-compressed (python-memcached). */
	static final int COMPRESSED = 8;

	/** Python {@code str}, UTF-8. */
	static final int TEXT = 16;

	/** Java-only: bytes of the configured {@link ValueSerializer} ('J' in the second byte). */
	static final int JAVA = 0x4A00;

	/** The largest inflated size accepted from a compressed entry (spymemcached's own item limit). */
	static final int MAX_INFLATED = CachedData.MAX_SIZE;

	/**
	 * The most digits of a stored integer: memcached's counters are unsigned 64-bit, 20 digits at most, and so is
	 * every Python {@code int} its {@code incr} accepts.
	 */
	static final int MAX_DIGITS = 20;

	/** The most bytes of a stored integer: a sign, the digits, and the spaces memcached's {@code decr} pads with. */
	private static final int MAX_INTEGER_BYTES = 32;

	private final ValueSerializer serializer;

	private final int compressionThreshold;

	/**
	 * @param serializer serializes values that have no native representation
	 * @param compressionThreshold payloads of at least this many bytes are compressed if that makes them smaller;
	 * {@code 0} or less never compresses
	 */
	DjangoTranscoder(ValueSerializer serializer, int compressionThreshold) {
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		this.compressionThreshold = compressionThreshold;
	}

	@Override
	public boolean asyncDecode(CachedData data) {
		return false;
	}

	/**
	 * Encode a value.
	 * @throws io.cacheframework.core.ValueNotStorableException if the serializer refuses the value
	 */
	@Override
	public CachedData encode(@Nullable Object value) {
		int flags;
		byte[] payload;
		if (value instanceof String string) {
			flags = TEXT;
			payload = string.getBytes(StandardCharsets.UTF_8);
		}
		else if (value instanceof Integer number) {
			flags = INTEGER;
			payload = number.toString().getBytes(StandardCharsets.US_ASCII);
		}
		else if (value instanceof Long number) {
			flags = LONG;
			payload = number.toString().getBytes(StandardCharsets.US_ASCII);
		}
		else if (value instanceof byte[] bytes) {
			flags = BYTES;
			payload = bytes;
		}
		else {
			flags = JAVA;
			payload = this.serializer.serialize(value);
		}
		if (this.compressionThreshold > 0 && payload.length >= this.compressionThreshold) {
			byte[] compressed = Zlib.compress(payload);
			if (compressed.length < payload.length) {
				flags |= COMPRESSED;
				payload = compressed;
			}
		}
		return new CachedData(flags, payload, Integer.MAX_VALUE);
	}

	/**
	 * Decode a stored item.
	 * @throws UnreadableValueException if the item is corrupt, a Python pickle, or of unknown flags
	 */
	@Override
	public @Nullable Object decode(CachedData data) {
		int flags = data.getFlags();
		byte[] payload = data.getData();
		if ((flags & COMPRESSED) != 0) {
			payload = Zlib.decompress(payload, MAX_INFLATED);
			flags &= ~COMPRESSED;
		}
		switch (flags) {
			case BYTES:
				return payload;
			case TEXT:
				return new String(payload, StandardCharsets.UTF_8);
			case INTEGER:
				return parseInteger(payload, false);
			case LONG:
				return parseInteger(payload, true);
			case JAVA:
				return this.serializer.deserialize(payload);
			case PICKLE:
				throw new UnreadableValueException("a Python pickle (flags 1) cannot be read by a Java application");
			default:
				throw new UnreadableValueException("unknown memcached flags " + data.getFlags());
		}
	}

	@Override
	public int getMaxSize() {
		return Integer.MAX_VALUE;
	}

	/**
	 * Python's {@code int(value)}: an {@code Integer} while it fits (unless a {@code Long} was stored), then a
	 * {@code Long}, then a {@code BigInteger} (memcached counters are unsigned 64-bit). Longer numbers are refused
	 * before any parsing: {@code new BigInteger} takes time quadratic in the digits, so a planted value of a million
	 * digits would cost seconds on every read, and stay, since it would be "valid".
	 */
	private static Object parseInteger(byte[] payload, boolean isLong) {
		if (payload.length > MAX_INTEGER_BYTES) {
			throw new UnreadableValueException("an integer of " + payload.length + " bytes; at most " + MAX_DIGITS
					+ " digits are read");
		}
		String text = new String(payload, StandardCharsets.US_ASCII).trim();
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

}
