package io.cacheframework.core;

/**
 * What a store in memory that finds an entry only by its exact made key (locmem) remembers about the keys used with
 * it, shared by every backend over that store: whether any key has failed memcached's rules there.
 *
 * <p>{@link AbstractCacheBackend} validates every key before it is written. A key that fails either throws (a lone
 * surrogate; any failure where the backend rejects invalid keys), and is never written, or only warns (Django's
 * {@code CacheKeyWarning}) and is recorded here before it is written. So while nothing is recorded, a key that such a
 * store finds is equal to one that passed when it was written, and would pass again: {@code get} then validates its
 * key only when the lookup misses, after it, and a hit skips the scan of the key's characters. A key that would throw
 * is still refused, by that check after the miss; the lookup before it compares Java text, so it cannot reach the
 * entry of another key. Once a key has failed, every read validates first, as on any other store, so that each use of
 * a bad key warns, as in Django. The store holds this object, hands it to the base class through
 * {@link AbstractCacheBackend#findsKeysByExactText} and never reads it.
 *
 * @since 0.1.0
 */
public final class WrittenKeys {

	/**
	 * Set before a failing key can be written, read again after a lookup finds an entry: a read that finds the entry
	 * of a failing key sees it set.
	 */
	private volatile boolean keyFailed;

	/**
	 * Create the record of a new, empty store.
	 */
	public WrittenKeys() {
	}

	/**
	 * Whether a key has failed validation at the store.
	 * @return whether every read must validate its key first
	 */
	boolean keyFailed() {
		return this.keyFailed;
	}

	/**
	 * Record that a key failed validation and only warned, before it is used.
	 */
	void recordFailedKey() {
		if (!this.keyFailed) {
			this.keyFailed = true;
		}
	}

	@Override
	public String toString() {
		return "WrittenKeys[keyFailed=" + this.keyFailed + "]";
	}

}
