package io.cacheframework.backend.redis;

import java.nio.ByteBuffer;

import io.cacheframework.serializer.PickleLimits;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Keys and values as bytes, with values over {@link #MAX_VALUE_BYTES} never copied out of Lettuce's read buffer: a
 * value planted in Redis (up to 512 MB) costs the connection's buffer once, not a copy for every caller and a parse.
 * Such a value reads as {@link #TOO_LARGE}, which the wire format refuses (a miss).
 */
final class BoundedByteArrayCodec extends ByteArrayCodec {

	/** The largest value read: the serializers' limit, plus the envelope of a Java-only value. */
	static final long MAX_VALUE_BYTES = PickleLimits.DEFAULT_MAX_BYTES + 1024;

	/** Stands for a value that was too large to read; compared by identity. */
	static final byte[] TOO_LARGE = new byte[0];

	static final BoundedByteArrayCodec INSTANCE = new BoundedByteArrayCodec();

	private BoundedByteArrayCodec() {
	}

	@Override
	public byte[] decodeValue(ByteBuffer bytes) {
		if (bytes.remaining() > MAX_VALUE_BYTES) {
			bytes.position(bytes.limit());
			return TOO_LARGE;
		}
		return super.decodeValue(bytes);
	}

}
