package io.cacheframework.backend.filesystem;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

import io.cacheframework.serializer.UnreadableValueException;

/**
 * The layout of one entry file. All numbers are big-endian.
 *
 * <pre>
 * offset size  field
 *      0    4  magic "CSBF"
 *      4    2  format version (1)
 *      6    2  flags (bit 0: payload is zlib-compressed)
 *      8    8  expiry, epoch milliseconds (Long.MAX_VALUE = never)
 *     16    4  key length (UTF-8 bytes of the made key)
 *     20    4  payload length as stored
 *     24    4  payload length once inflated (equal to the stored length when not compressed)
 *     28    4  CRC32C of bytes 0-27, the key and the payload
 *     32       the made key, then the payload (the serializer's bytes, possibly compressed)
 * </pre>
 *
 * The made key is kept in the file so that a file can never be read as another key's value (a file moved or
 * copied under another name, or a hash collision), and the file size must match the header exactly, so a
 * truncated or extended file is refused before its payload is read. The checksum catches torn or bit-flipped
 * files that still have the right size.
 */
final class EntryFormat {

	static final int HEADER_SIZE = 32;

	static final int VERSION = 1;

	static final int FLAG_COMPRESSED = 1;

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

	private EntryFormat() {
	}

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

	/**
	 * The header of a new entry; write it, then the key, then the payload.
	 */
	static ByteBuffer header(byte[] key, byte[] payload, boolean compressed, int rawLength, long expiresAt) {
		ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
		header.putInt(MAGIC)
			.putShort((short) VERSION)
			.putShort((short) (compressed ? FLAG_COMPRESSED : 0))
			.putLong(expiresAt)
			.putInt(key.length)
			.putInt(payload.length)
			.putInt(rawLength);
		CRC32C crc = new CRC32C();
		crc.update(header.array(), 0, 28);
		crc.update(key);
		crc.update(payload);
		header.putInt((int) crc.getValue());
		return header.flip();
	}

	/**
	 * Parse and check a header against the file's size.
	 * @throws UnreadableValueException if the header is not ours, claims impossible lengths, or does not match the
	 * file size (truncated or extended file)
	 */
	static Header parse(ByteBuffer buffer, long fileSize, long maxValueBytes) {
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
		if ((flags & ~FLAG_COMPRESSED) != 0 || keyLength < 0 || keyLength > MAX_KEY_BYTES || storedLength < 0
				|| rawLength < 0 || rawLength > maxValueBytes || storedLength > maxValueBytes + 1024) {
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
		return new Header(flags, expiresAt, keyLength, storedLength, rawLength, crc);
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
	 * A parsed header.
	 */
	record Header(int flags, long expiresAt, int keyLength, int storedLength, int rawLength, int crc) {

		boolean compressed() {
			return (this.flags & FLAG_COMPRESSED) != 0;
		}

		boolean isExpired(long now) {
			return this.expiresAt <= now;
		}

	}

}
