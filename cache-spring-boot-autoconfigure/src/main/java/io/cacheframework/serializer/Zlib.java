package io.cacheframework.serializer;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib (RFC 1950) compression, the format python-memcached and Django's file cache use, with a bound on the
 * inflated size so a small hostile entry cannot expand into gigabytes.
 *
 * @since 0.1.0
 */
public final class Zlib {

	private Zlib() {
	}

	/**
	 * Compress bytes.
	 * @param data the bytes
	 * @return zlib data
	 */
	public static byte[] compress(byte[] data) {
		Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
		try {
			deflater.setInput(data);
			deflater.finish();
			ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 2));
			byte[] buffer = new byte[8192];
			while (!deflater.finished()) {
				int n = deflater.deflate(buffer);
				out.write(buffer, 0, n);
			}
			return out.toByteArray();
		}
		finally {
			deflater.end();
		}
	}

	/**
	 * Decompress zlib data.
	 * @param data zlib data
	 * @param maxLength the largest inflated size accepted
	 * @return the bytes
	 * @throws UnreadableValueException if the data is corrupt, truncated or inflates beyond {@code maxLength}
	 */
	public static byte[] decompress(byte[] data, long maxLength) {
		Inflater inflater = new Inflater();
		try {
			inflater.setInput(data);
			ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length * 2));
			byte[] buffer = new byte[8192];
			while (!inflater.finished()) {
				int n = inflater.inflate(buffer);
				// needsInput() is also true once the last byte was consumed, e.g. for a compressed empty array.
				if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
					throw new UnreadableValueException("truncated zlib data");
				}
				if (out.size() + (long) n > maxLength) {
					throw new UnreadableValueException("zlib data inflates beyond " + maxLength + " bytes");
				}
				out.write(buffer, 0, n);
			}
			if (inflater.getRemaining() > 0) {
				throw new UnreadableValueException("trailing bytes after zlib data");
			}
			return out.toByteArray();
		}
		catch (DataFormatException ex) {
			throw new UnreadableValueException("corrupt zlib data: " + ex.getMessage(), ex);
		}
		finally {
			inflater.end();
		}
	}

}
