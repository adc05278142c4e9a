package io.cacheframework.backend.locmem;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.cacheframework.backend.locmem.LocMemStore.Entry;
import io.cacheframework.backend.locmem.LocMemStore.Serialized;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code LocMemCache}: a per-JVM in-memory cache. Backends with the same {@code location} share one store;
 * entries are kept in LRU order and culled as Django culls them ({@code MAX_ENTRIES}, {@code CULL_FREQUENCY});
 * expiry follows the configured {@link java.time.Clock}.
 *
 * <p>Values are copied on the way in and out, as Django's pickling does: immutable values (strings, numbers, the
 * {@code java.time} types, ...) are kept as they are, a {@code byte[]} is copied, and any other value is serialized
 * on {@code set} and deserialized on each {@code get}, so mutating a value after storing or reading it never
 * changes the cache. A value that cannot be serialized fails its {@code set}.
 *
 * @since 0.1.0
 */
public class LocMemCacheBackend extends AbstractCacheBackend {

	private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Integer.class, Long.class, Short.class,
			Byte.class, Character.class, Boolean.class, Double.class, Float.class, BigDecimal.class, BigInteger.class,
			UUID.class, URI.class, Instant.class, Duration.class, LocalDate.class, LocalDateTime.class,
			LocalTime.class, OffsetDateTime.class, ZonedDateTime.class);

	private final LocMemStore store;

	private final ValueSerializer serializer;

	private final int maxEntries;

	private final int cullFrequency;

	/**
	 * Create a backend with the default serializer.
	 * @param settings the settings; {@code location} names the shared store
	 */
	public LocMemCacheBackend(CacheSettings settings) {
		this(settings, new DefaultValueSerializer());
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} names the shared store
	 * @param serializer copies mutable values
	 */
	public LocMemCacheBackend(CacheSettings settings, ValueSerializer serializer) {
		super(settings);
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		this.maxEntries = settings.maxEntries();
		this.cullFrequency = settings.cullFrequency();
		this.store = LocMemStore.acquire(settings.location());
	}

	@Override
	public String backendName() {
		return "locmem";
	}

	@Override
	protected Object storeIdentity() {
		return this.store;
	}

	/**
	 * The number of entries in the shared store, expired ones included until they are read or culled.
	 * @return the entry count
	 */
	public int size() {
		return this.store.entries.size();
	}

	@Override
	protected @Nullable Object doGet(String key) {
		Entry entry = this.store.entries.get(key);
		if (entry == null) {
			return NOT_FOUND;
		}
		if (entry.expiresAt != Long.MAX_VALUE && entry.isExpired(now())) {
			this.store.entries.remove(key, entry);
			return NOT_FOUND;
		}
		entry.stamp = this.store.tick();
		return copyOut(key, entry);
	}

	@Override
	protected boolean doHasKey(String key) {
		// Django's has_key neither copies the value nor changes the LRU order.
		Entry entry = this.store.entries.get(key);
		if (entry == null) {
			return false;
		}
		if (entry.isExpired(now())) {
			this.store.entries.remove(key, entry);
			return false;
		}
		return true;
	}

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		Object stored = copyIn(value);
		long expiresAt = expiresAt(timeout);
		this.store.writeLock.lock();
		try {
			put(key, stored, expiresAt);
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		Object stored = copyIn(value);
		long expiresAt = expiresAt(timeout);
		this.store.writeLock.lock();
		try {
			Entry existing = this.store.entries.get(key);
			if (existing != null && !existing.isExpired(now())) {
				return false;
			}
			put(key, stored, expiresAt);
			return true;
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	/**
	 * Django's {@code _set}: cull first if full (also when overwriting), then store as most recently used.
	 */
	private void put(String key, @Nullable Object stored, long expiresAt) {
		if (this.store.entries.size() >= this.maxEntries) {
			cull();
		}
		this.store.entries.put(key, new Entry(stored, expiresAt, this.store.tick()));
	}

	private void cull() {
		int removed;
		if (this.cullFrequency == 0) {
			removed = this.store.entries.size();
			this.store.entries.clear();
		}
		else {
			removed = this.store.removeLeastRecentlyUsed(this.store.entries.size() / this.cullFrequency);
		}
		statistics().recordEvictions(removed);
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		long expiresAt = expiresAt(timeout);
		this.store.writeLock.lock();
		try {
			Entry entry = this.store.entries.get(key);
			if (entry == null || entry.isExpired(now())) {
				return false;
			}
			// Django's touch does not change the LRU order.
			this.store.entries.put(key, new Entry(entry.value, expiresAt, entry.stamp));
			return true;
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected boolean doDelete(String key) {
		// Under the lock, as in Django: incr and touch read and replace an entry under it, and an unlocked delete
		// in between would be undone by their write.
		this.store.writeLock.lock();
		try {
			return this.store.entries.remove(key) != null;
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected void doClear() {
		this.store.writeLock.lock();
		try {
			this.store.entries.clear();
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		this.store.writeLock.lock();
		try {
			Entry entry = this.store.entries.get(key);
			if (entry == null || entry.isExpired(now())) {
				// Django's locmem names the made key here.
				throw notFound(key);
			}
			Number updated = addToNumber(copyOut(key, entry), delta, rawKey);
			// The expiry is kept and the key becomes most recently used, as in Django.
			this.store.entries.put(key, new Entry(updated, entry.expiresAt, this.store.tick()));
			return updated.longValue();
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected void doClose() {
		this.store.release();
	}

	private long now() {
		return settings().clock().millis();
	}

	private @Nullable Object copyIn(@Nullable Object value) {
		if (value == null || IMMUTABLE.contains(value.getClass()) || value instanceof Enum<?>) {
			return value;
		}
		if (value instanceof byte[] bytes) {
			return bytes.clone();
		}
		return new Serialized(this.serializer.serialize(value));
	}

	private @Nullable Object copyOut(String key, Entry entry) {
		Object value = entry.value;
		if (value instanceof byte[] bytes) {
			return bytes.clone();
		}
		if (value instanceof Serialized serialized) {
			try {
				return this.serializer.deserialize(serialized.bytes());
			}
			catch (UnreadableValueException ex) {
				unreadableEntry(key, ex);
				this.store.entries.remove(key, entry);
				return NOT_FOUND;
			}
		}
		return value;
	}

}
