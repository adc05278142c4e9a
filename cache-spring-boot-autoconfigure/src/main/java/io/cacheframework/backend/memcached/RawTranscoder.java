package io.cacheframework.backend.memcached;

import net.spy.memcached.CachedData;
import net.spy.memcached.transcoders.Transcoder;

/**
 * Hands items through as flags and bytes: the backend encodes before any I/O (so a value that cannot be stored
 * fails in the caller's thread) and decodes after it (so an unreadable entry is handled in one place).
 */
final class RawTranscoder implements Transcoder<CachedData> {

	static final RawTranscoder INSTANCE = new RawTranscoder();

	@Override
	public boolean asyncDecode(CachedData data) {
		return false;
	}

	@Override
	public CachedData encode(CachedData data) {
		return data;
	}

	@Override
	public CachedData decode(CachedData data) {
		return data;
	}

	@Override
	public int getMaxSize() {
		return Integer.MAX_VALUE;
	}

}
