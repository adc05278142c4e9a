package io.cacheframework.backend.memcached;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two key hashes of libmemcached (1.0.18 and libmemcached-awesome 1.1) that pylibmc users meet: its default and
 * MD5. Both give an unsigned 32-bit value, held in an {@code int}.
 */
enum LibmemcachedHash {

	/**
	 * {@code MEMCACHED_HASH_DEFAULT} (pylibmc's {@code "hash": "default"}): Bob Jenkins' one-at-a-time hash over the
	 * key's UTF-8 bytes. libmemcached reads each byte through a {@code char}, which is signed on x86-64, so a byte
	 * of 0x80 and above enters sign-extended (0xC3 adds 0xFFFFFFC3): non-ASCII keys hash as on x86-64 Linux.
	 * (On aarch64 Linux {@code char} is unsigned and libmemcached itself places non-ASCII keys differently.)
	 */
	ONE_AT_A_TIME {
		@Override
		int hash(byte[] bytes) {
			int value = 0;
			for (byte b : bytes) {
				value += b;
				value += value << 10;
				value ^= value >>> 6;
			}
			value += value << 3;
			value ^= value >>> 11;
			value += value << 15;
			return value;
		}
	},

	/** {@code MEMCACHED_HASH_MD5} (pylibmc's {@code "hash": "md5"}): the first four digest bytes, little-endian. */
	MD5 {
		@Override
		int hash(byte[] bytes) {
			return point(md5(bytes), 0);
		}
	};

	/**
	 * The hash of a key or a continuum point name.
	 * @param bytes the UTF-8 bytes
	 * @return the unsigned 32-bit value
	 */
	abstract int hash(byte[] bytes);

	/**
	 * libmemcached's {@code ketama_server_hash}: the four little-endian words of one MD5 digest are four points of
	 * the weighted continuum.
	 */
	static int point(byte[] digest, int alignment) {
		int offset = alignment * 4;
		return (digest[offset] & 0xFF) | (digest[offset + 1] & 0xFF) << 8 | (digest[offset + 2] & 0xFF) << 16
				| (digest[offset + 3] & 0xFF) << 24;
	}

	static byte[] md5(byte[] bytes) {
		return md5().digest(bytes);
	}

	static MessageDigest md5() {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide MD5.
			throw new IllegalStateException(ex);
		}
	}

}
