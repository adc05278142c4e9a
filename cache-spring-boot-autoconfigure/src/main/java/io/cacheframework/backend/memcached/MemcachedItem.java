package io.cacheframework.backend.memcached;

import java.util.Objects;

/**
 * One memcached item as it travels: its flags and its bytes, whatever client carried it. The backend encodes values
 * to items before any I/O ({@link MemcachedFlags}) and decodes them after, so that the transports deal in bytes
 * only.
 *
 * @param flags the item's flags (Django's clients: 0 bytes, 1 pickle, 2 int, 4 long, 16 text, | 8 compressed)
 * @param data the stored bytes (not copied)
 */
record MemcachedItem(int flags, byte[] data) {

	MemcachedItem {
		Objects.requireNonNull(data, "data must not be null");
	}

}
