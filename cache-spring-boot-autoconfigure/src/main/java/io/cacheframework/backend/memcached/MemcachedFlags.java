package io.cacheframework.backend.memcached;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueCodec.Kind;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;

/**
 * memcached's flags for each kind of value, as Django's clients (pymemcache, python-memcached, pylibmc) write them,
 * so that a Django application and a Spring application sharing a server read each other's strings, numbers and
 * bytes, and memcached's own {@code incr}/{@code decr} work on our numbers. The bytes of each kind are the
 * {@link ValueCodec}'s; this class only maps kinds to flags and compresses.
 *
 * <table>
 * <caption>Flags</caption>
 * <tr><th>kind</th><th>Java value</th><th>flags</th></tr>
 * <tr><td>BYTES</td><td>{@code byte[]}</td><td>0</td></tr>
 * <tr><td>PICKLE</td><td>Python's other values, read as plain data ({@code Map}, {@code List}, {@code Double},
 * java.time...; a pickle naming any other global is refused: a miss); written for maps, lists, sets, floats,
 * booleans, decimals and dates with {@code value-format: pickle}</td><td>1</td></tr>
 * <tr><td>INTEGER</td><td>{@code Integer}</td><td>2</td></tr>
 * <tr><td>LONG</td><td>{@code Long}</td><td>4</td></tr>
 * <tr><td>TEXT</td><td>{@code String}</td><td>16</td></tr>
 * <tr><td>JAVA</td><td>anything else, {@code null}</td><td>{@value #JAVA}</td></tr>
 * <tr><td>compressed (any of the above, above the threshold)</td><td></td><td>| 8</td></tr>
 * </table>
 * The Java flag has none of the low five bits set: python-memcached tests flags bit by bit, pymemcache and pylibmc
 * hand unknown flags back as bytes, so no Python client ever tries to unpickle our bytes. (spymemcached's stock
 * transcoder cannot be used: its "compressed" flag, 2, is Python's "integer", and it writes integers in binary.)
 */
final class MemcachedFlags {

	/** Raw bytes (Python {@code bytes}). */
	static final int BYTES = 0;

	/** Python pickle: read through the restricted unpickler, written with {@code value-format: pickle}. */
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

	/** The largest inflated size accepted from a compressed entry (20 MB, spymemcached's own item limit). */
	static final int MAX_INFLATED = 20 * 1024 * 1024;

	/**
	 * The kinds memcached's flags tell apart and this backend writes; the codec writes {@link Kind#PICKLE} only
	 * when its format is {@link ValueCodec.Format#PICKLE}.
	 */
	private static final Set<Kind> WRITTEN = EnumSet.of(Kind.BYTES, Kind.TEXT, Kind.INTEGER, Kind.LONG, Kind.PICKLE,
			Kind.JAVA);

	private final ValueCodec codec;

	private final int compressionThreshold;

	/**
	 * @param codec makes each kind's bytes
	 * @param compressionThreshold payloads of at least this many bytes are compressed if that makes them smaller;
	 * {@code 0} or less never compresses
	 */
	MemcachedFlags(ValueCodec codec, int compressionThreshold) {
		this.codec = Objects.requireNonNull(codec, "codec must not be null");
		this.compressionThreshold = compressionThreshold;
	}

	private static int flags(Kind kind) {
		return switch (kind) {
			case BYTES -> BYTES;
			case PICKLE -> PICKLE;
			case INTEGER -> INTEGER;
			case LONG -> LONG;
			case TEXT -> TEXT;
			case JAVA -> JAVA;
		};
	}

	/**
	 * Encode a value.
	 * @param value the value
	 * @return the item
	 * @throws io.cacheframework.core.ValueNotStorableException if the serializer refuses the value
	 */
	MemcachedItem encode(@Nullable Object value) {
		ValueCodec.Stored stored = this.codec.encode(value, WRITTEN);
		int flags = flags(stored.kind());
		byte[] payload = stored.data();
		if (this.compressionThreshold > 0 && payload.length >= this.compressionThreshold) {
			byte[] compressed = ValueCodec.compress(payload);
			if (compressed != null) {
				flags |= COMPRESSED;
				payload = compressed;
			}
		}
		return new MemcachedItem(flags, payload);
	}

	/**
	 * Decode an item.
	 * @param item the item
	 * @return the value
	 * @throws UnreadableValueException if the item is corrupt, of unknown flags, or a pickle that is corrupt, over
	 * a limit or refused ({@link io.cacheframework.serializer.PickleRefusedException}: it names a global other than
	 * plain data, e.g. {@code posix.system} or a model class; nothing was constructed or run)
	 */
	@Nullable Object decode(MemcachedItem item) {
		int flags = item.flags();
		byte[] payload = item.data();
		if ((flags & COMPRESSED) != 0) {
			payload = ValueCodec.decompress(payload, MAX_INFLATED);
			flags &= ~COMPRESSED;
		}
		Kind kind = switch (flags) {
			case BYTES -> Kind.BYTES;
			case TEXT -> Kind.TEXT;
			case INTEGER -> Kind.INTEGER;
			case LONG -> Kind.LONG;
			case JAVA -> Kind.JAVA;
			case PICKLE -> Kind.PICKLE;
			default -> throw new UnreadableValueException("unknown memcached flags " + item.flags());
		};
		return this.codec.decode(kind, payload);
	}

	/**
	 * Whether an item is a Python pickle, compressed or not: one the Java side cannot read may still be read by
	 * Django, so it is left in place.
	 * @param item the item
	 * @return whether its flags say pickle
	 */
	static boolean isPickle(MemcachedItem item) {
		return (item.flags() & ~COMPRESSED) == PICKLE;
	}

	/**
	 * Whether memcached's {@code incr} accepts the item: an uncompressed unsigned decimal of at most 20 digits
	 * (padded with spaces after a {@code decr}), whatever its flags say (Django's {@code incr} works on text too).
	 * @param item the item
	 * @return whether it is a counter
	 */
	static boolean isCounter(MemcachedItem item) {
		if ((item.flags() & COMPRESSED) != 0 || item.flags() == JAVA) {
			return false;
		}
		byte[] bytes = item.data();
		int digits = 0;
		for (byte b : bytes) {
			if (b >= '0' && b <= '9') {
				if (digits < 0) {
					return false;
				}
				digits++;
			}
			else if (b == ' ' && digits > 0) {
				digits = -1;
			}
			else if (b != ' ') {
				return false;
			}
		}
		return digits != 0 && bytes.length <= ValueCodec.MAX_DIGITS;
	}

}
