package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueCodec.Kind;
import org.jspecify.annotations.Nullable;

/**
 * What one entry file holds, and the table between its header and the {@link ValueCodec}. All numbers are
 * big-endian.
 *
 * <pre>
 * offset size  field
 *      0    4  magic "CSBF"
 *      4    2  format version (1)
 *      6    2  flags: bit 0 the payload is zlib-compressed; the other bits the codec's kind (see below)
 *      8    8  expiry, epoch milliseconds (Long.MAX_VALUE = never)
 *     16    4  key length (UTF-8 bytes of the made key)
 *     20    4  payload length as stored
 *     24    4  payload length once inflated (equal to the stored length when not compressed)
 *     28    4  CRC32C of bytes 0-27, the key and the payload
 *     32       the made key, then the payload (the codec's bytes, possibly compressed)
 * </pre>
 *
 * The made key is kept in the file so that a file can never be read as another key's value (a file moved or
 * copied under another name, or a hash collision), and the file size must match the header exactly, so a
 * truncated or extended file is refused before its payload is read. The checksum catches torn or bit-flipped
 * files that still have the right size.
 *
 * <p>The static part is the layout (names, header, checks); an instance turns values into payloads and back through
 * the codec, with the options that bound them ({@code compress-min-bytes}, {@code max-value-bytes}).
 */
final class EntryFormat {

	static final int HEADER_SIZE = 32;

	static final int VERSION = 1;

	static final int FLAG_COMPRESSED = 1;

	/**
	 * The header's flag bits (besides {@link #FLAG_COMPRESSED}) for each kind of value a file holds: the codec's
	 * kinds this store can tell apart. Format 1 holds the {@code ValueSerializer}'s bytes only (the default
	 * serializer's own type tags are part of them), with no kind bit set, so every file written so far is
	 * {@link Kind#JAVA}. A kind added later takes the next free bit (2, 4, ...); a file with a bit not in this table is
	 * corrupt.
	 */
	private static final Map<Kind, Integer> KIND_FLAGS = Map.of(Kind.JAVA, 0);

	/** Longest made key accepted from a file; longer claims are corrupt. */
	static final int MAX_KEY_BYTES = 1 << 20;

	private static final int MAGIC = 0x43534246;

	private static final MessageDigest SHA_256 = newSha256();

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	/** Entry file names: 64 hex digits of SHA-256 of the made key, then this suffix. */
	static final String SUFFIX = ".cache";

	/** Temporary files start with this, so that no listing can take them for entries. */
	static final String TEMP_PREFIX = ".tmp-";

	/** The lock file of a cache directory. */
	static final String LOCK_FILE = ".cache.lock";

	private final ValueCodec codec;

	private final long compressMinBytes;

	private final long maxValueBytes;

	private final String cacheName;

	/**
	 * The format of one cache's entries.
	 * @param codec turns values into bytes and back
	 * @param compressMinBytes payloads of at least this many bytes are compressed if that is worth it; negative for
	 * never
	 * @param maxValueBytes the largest payload written or read (before compression)
	 * @param cacheName the cache's alias, for messages
	 */
	EntryFormat(ValueCodec codec, long compressMinBytes, long maxValueBytes, String cacheName) {
		this.codec = Objects.requireNonNull(codec, "codec must not be null");
		this.compressMinBytes = compressMinBytes;
		this.maxValueBytes = maxValueBytes;
		this.cacheName = cacheName;
	}

	// ---------------------------------------------------------------- values

	/**
	 * A value as the payload of a file: the codec's bytes, zlib-compressed when they are at least
	 * {@code compress-min-bytes} and that saves at least 10%.
	 * @throws ValueNotStorableException if the value cannot be serialized or is larger than {@code max-value-bytes}
	 */
	Payload encode(@Nullable Object value) {
		ValueCodec.Stored stored = this.codec.encode(value, KIND_FLAGS.keySet());
		byte[] raw = stored.data();
		if (raw.length > this.maxValueBytes) {
			throw new ValueNotStorableException("Cannot cache a value of " + raw.length + " bytes serialized in cache '"
					+ this.cacheName + "': the limit (max-value-bytes) is " + this.maxValueBytes);
		}
		if (this.compressMinBytes >= 0 && raw.length >= this.compressMinBytes) {
			byte[] compressed = ValueCodec.compress(raw);
			// Kept only when worth it: incompressible data (already compressed, random) stays as it is.
			if (compressed != null && compressed.length <= raw.length - raw.length / 10) {
				return new Payload(stored.kind(), true, raw.length, compressed);
			}
		}
		return new Payload(stored.kind(), false, raw.length, raw);
	}

	/**
	 * The value of a checked file's payload.
	 * @throws UnreadableValueException if the payload does not inflate to the length its header says, or the codec
	 * refuses it (a class outside the allow-list, corrupt bytes)
	 */
	@Nullable Object decode(Header header, byte[] payload) {
		byte[] data = payload;
		if (header.compressed()) {
			// Inflating stops at the header's length: no zlib bombs.
			data = ValueCodec.decompress(payload, header.rawLength());
			if (data.length != header.rawLength()) {
				throw new UnreadableValueException("inflated to " + data.length + " bytes, header says "
						+ header.rawLength());
			}
		}
		return this.codec.decode(header.kind(), data);
	}

	/**
	 * The largest value, in bytes before compression, that is written or read.
	 */
	long maxValueBytes() {
		return this.maxValueBytes;
	}

	// ---------------------------------------------------------------- names

	/**
	 * The SHA-256 of a made key: the file name (hex) and the lock stripe (first byte).
	 */
	static byte[] digest(byte[] key) {
		try {
			// Cloning a prototype skips the provider lookup of MessageDigest.getInstance on every key.
			MessageDigest digest = (MessageDigest) SHA_256.clone();
			return digest.digest(key);
		}
		catch (CloneNotSupportedException ex) {
			return newSha256().digest(key);
		}
	}

	private static MessageDigest newSha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

	static String fileName(byte[] digest) {
		char[] name = new char[digest.length * 2];
		for (int i = 0; i < digest.length; i++) {
			name[i * 2] = HEX[(digest[i] >> 4) & 0xf];
			name[i * 2 + 1] = HEX[digest[i] & 0xf];
		}
		return new String(name) + SUFFIX;
	}

	static boolean isEntryName(String name) {
		if (name.length() != 64 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
			return false;
		}
		for (int i = 0; i < 64; i++) {
			char c = name.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}

	static byte[] keyBytes(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

	// ---------------------------------------------------------------- header

	/**
	 * The header of a new entry; write it, then the key, then the payload.
	 */
	static ByteBuffer header(byte[] key, Payload payload, long expiresAt) {
		ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
		header.putInt(MAGIC)
			.putShort((short) VERSION)
			.putShort((short) payload.flags())
			.putLong(expiresAt)
			.putInt(key.length)
			.putInt(payload.data().length)
			.putInt(payload.rawLength());
		CRC32C crc = new CRC32C();
		crc.update(header.array(), 0, 28);
		crc.update(key);
		crc.update(payload.data());
		header.putInt((int) crc.getValue());
		return header.flip();
	}

	/**
	 * Read and parse the header of an open entry file.
	 * @throws UnreadableValueException if the file is shorter than a header or the header is bad (see
	 * {@link #parse})
	 */
	Header readHeader(FileChannel channel, long fileSize) throws IOException {
		ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
		readFully(channel, header);
		return parse(header, fileSize);
	}

	/**
	 * Parse and check a header against the file's size.
	 * @throws UnreadableValueException if the header is not ours, claims impossible lengths or an unknown kind, or
	 * does not match the file size (truncated or extended file)
	 */
	Header parse(ByteBuffer buffer, long fileSize) {
		if (fileSize < HEADER_SIZE) {
			throw new UnreadableValueException("truncated entry file: " + fileSize + " bytes, shorter than its header");
		}
		int magic = buffer.getInt(0);
		if (magic != MAGIC) {
			throw new UnreadableValueException("not a cache entry file (bad magic number)");
		}
		int version = buffer.getShort(4) & 0xffff;
		if (version != VERSION) {
			throw new UnreadableValueException("unsupported entry format version " + version);
		}
		int flags = buffer.getShort(6) & 0xffff;
		long expiresAt = buffer.getLong(8);
		int keyLength = buffer.getInt(16);
		int storedLength = buffer.getInt(20);
		int rawLength = buffer.getInt(24);
		int crc = buffer.getInt(28);
		Kind kind = kindOf(flags);
		if (kind == null || keyLength < 0 || keyLength > MAX_KEY_BYTES || storedLength < 0 || rawLength < 0
				|| rawLength > this.maxValueBytes || storedLength > this.maxValueBytes + 1024) {
			throw new UnreadableValueException("corrupt entry header");
		}
		if ((flags & FLAG_COMPRESSED) == 0 && rawLength != storedLength) {
			throw new UnreadableValueException("corrupt entry header (lengths disagree)");
		}
		long expected = (long) HEADER_SIZE + keyLength + storedLength;
		if (expected != fileSize) {
			throw new UnreadableValueException("entry file has " + fileSize + " bytes, its header says " + expected
					+ ((fileSize < expected) ? " (truncated)" : ""));
		}
		return new Header(kind, (flags & FLAG_COMPRESSED) != 0, expiresAt, keyLength, storedLength, rawLength, crc);
	}

	private static @Nullable Kind kindOf(int flags) {
		int kindBits = flags & ~FLAG_COMPRESSED;
		for (Map.Entry<Kind, Integer> entry : KIND_FLAGS.entrySet()) {
			if (entry.getValue() == kindBits) {
				return entry.getKey();
			}
		}
		return null;
	}

	/**
	 * Check the checksum of a whole file whose header was parsed.
	 */
	static void verify(byte[] file, Header header) {
		CRC32C crc = new CRC32C();
		crc.update(file, 0, 28);
		crc.update(file, HEADER_SIZE, file.length - HEADER_SIZE);
		if ((int) crc.getValue() != header.crc()) {
			throw new UnreadableValueException("entry file checksum mismatch (torn or corrupted file)");
		}
	}

	/**
	 * Fill a buffer from a file.
	 * @throws UnreadableValueException if the file ends first
	 */
	static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer) < 0) {
				throw new UnreadableValueException("truncated entry file");
			}
		}
	}

	/**
	 * A parsed header.
	 */
	record Header(Kind kind, boolean compressed, long expiresAt, int keyLength, int storedLength, int rawLength,
			int crc) {

		boolean isExpired(long now) {
			return this.expiresAt <= now;
		}

	}

	/**
	 * What follows the key in a file: the codec's bytes for a kind, possibly compressed.
	 *
	 * @param kind the codec's kind
	 * @param compressed whether {@code data} is zlib-compressed
	 * @param rawLength the length of the codec's bytes (of {@code data} once inflated)
	 * @param data the bytes as stored
	 */
	record Payload(Kind kind, boolean compressed, int rawLength, byte[] data) {

		/**
		 * The header's flags for this payload.
		 */
		int flags() {
			return KIND_FLAGS.get(this.kind) | (this.compressed ? FLAG_COMPRESSED : 0);
		}

	}

}
