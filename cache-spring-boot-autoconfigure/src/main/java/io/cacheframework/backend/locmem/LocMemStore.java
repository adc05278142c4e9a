package io.cacheframework.backend.locmem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.cacheframework.core.WrittenKeys;
import org.jspecify.annotations.Nullable;

/**
 * The data of one {@code location}, shared by every local-memory backend in the JVM configured with that location
 * (Django's module-level {@code _caches[name]}).
 *
 * <p>Reads are lock-free; writes (which may cull) take one lock per store. LRU order is kept as an access stamp per
 * entry, taken from a counter on every read hit and write: culling removes the entries with the smallest stamps,
 * which is exactly the order of Django's {@code OrderedDict} with {@code move_to_end}.
 *
 * <p>Keys are {@link LocMemKey}s, made keys held in two parts, so that a read needs no made-key string.
 */
final class LocMemStore {

	private static final Map<String, LocMemStore> stores = new ConcurrentHashMap<>();

	final String location;

	final ConcurrentHashMap<LocMemKey, Entry> entries = new ConcurrentHashMap<>();

	final ReentrantLock writeLock = new ReentrantLock();

	/**
	 * Whether a key ever failed validation here: until one has, a key this store finds needs no second check.
	 */
	final WrittenKeys writtenKeys = new WrittenKeys();

	private final AtomicLong ticks = new AtomicLong();

	private int users;

	private LocMemStore(String location) {
		this.location = location;
	}

	static LocMemStore acquire(String location) {
		return stores.compute(location, (name, store) -> {
			LocMemStore result = (store != null) ? store : new LocMemStore(name);
			result.users++;
			return result;
		});
	}

	void release() {
		stores.computeIfPresent(this.location, (name, store) -> (--store.users <= 0) ? null : store);
	}

	long tick() {
		return this.ticks.incrementAndGet();
	}

	/**
	 * Remove {@code count} least recently used entries. Must hold the write lock.
	 * @return how many were removed
	 */
	int removeLeastRecentlyUsed(int count) {
		if (count <= 0) {
			return 0;
		}
		// Sort a snapshot of the stamps: readers update them without the lock, and sorting on live values can
		// see an inconsistent order and fail with "Comparison method violates its general contract!".
		List<Candidate> all = new ArrayList<>(this.entries.size());
		for (Map.Entry<LocMemKey, Entry> e : this.entries.entrySet()) {
			all.add(new Candidate(e.getKey(), e.getValue(), e.getValue().stamp()));
		}
		all.sort(Comparator.comparingLong(Candidate::stamp));
		int removed = 0;
		for (int i = 0; i < Math.min(count, all.size()); i++) {
			if (this.entries.remove(all.get(i).key(), all.get(i).entry())) {
				removed++;
			}
		}
		return removed;
	}

	private record Candidate(LocMemKey key, Entry entry, long stamp) {
	}

	static final class Entry {

		private static final VarHandle STAMP;

		static {
			try {
				STAMP = MethodHandles.lookup().findVarHandle(Entry.class, "stamp", long.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		/**
		 * The stored form: the value itself if immutable, a copy of a {@code byte[]}, or {@link Serialized}.
		 */
		final @Nullable Object value;

		final long expiresAt;

		/**
		 * The LRU stamp, written by every read hit with an opaque store: atomic and eventually visible to the culling
		 * thread, but without the memory fence of a volatile write, which would stall each read on its cache miss.
		 */
		private long stamp;

		Entry(@Nullable Object value, long expiresAt, long stamp) {
			this.value = value;
			this.expiresAt = expiresAt;
			this.stamp = stamp;
		}

		long stamp() {
			return (long) STAMP.getOpaque(this);
		}

		void stamp(long stamp) {
			STAMP.setOpaque(this, stamp);
		}

		boolean isExpired(long now) {
			return this.expiresAt != Long.MAX_VALUE && this.expiresAt <= now;
		}

	}

	/**
	 * A mutable value kept as bytes so that every read returns a fresh copy, as Django's pickling does.
	 */
	record Serialized(byte[] bytes) {
	}

}
