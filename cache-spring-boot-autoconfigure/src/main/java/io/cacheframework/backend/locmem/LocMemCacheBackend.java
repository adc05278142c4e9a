package io.cacheframework.backend.locmem;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.cacheframework.backend.locmem.LocMemStore.Entry;
import io.cacheframework.backend.locmem.LocMemStore.Serialized;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheInspection;
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
 * <p>With the system clock (the default), expiry is decided by a millisecond clock that a daemon thread keeps
 * current, instead of reading the system time on every call: an entry can outlive its timeout by about a
 * millisecond. Any other {@link java.time.Clock} is read on every call.
 *
 * @since 0.1.0
 */
public class LocMemCacheBackend extends AbstractCacheBackend implements CacheInspection {

	private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Integer.class, Long.class, Short.class,
			Byte.class, Character.class, Boolean.class, Double.class, Float.class, BigDecimal.class, BigInteger.class,
			UUID.class, URI.class, Instant.class, Duration.class, LocalDate.class, LocalDateTime.class,
			LocalTime.class, OffsetDateTime.class, ZonedDateTime.class);

	private final LocMemStore store;

	private final ValueSerializer serializer;

	private final int maxEntries;

	private final int cullFrequency;

	/**
	 * Whether {@link #now()} reads {@link CoarseSystemClock} instead of the settings' clock.
	 */
	private final boolean coarseClock;

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
		findsKeysByExactText(this.store.writtenKeys);
		this.coarseClock = CoarseSystemClock.isSystemClock(settings.clock());
		if (this.coarseClock) {
			CoarseSystemClock.SHARED.acquire();
		}
	}

	/**
	 * Its calls never wait, so the asynchronous API completes them in the caller.
	 */
	@Override
	protected boolean completesInCaller() {
		return true;
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

	// Both reads are final: get() reads through doGet(keyHead, key), so an override of doGet(key) alone would be
	// bypassed without notice.
	@Override
	protected final @Nullable Object doGet(String key) {
		return read("", key);
	}

	@Override
	protected final @Nullable Object doGet(String keyHead, String key) {
		return read(keyHead, key);
	}

	private @Nullable Object read(String keyHead, String key) {
		// The lookup key must not escape this method, so that the JIT removes its allocation: the rare paths below
		// make a key of their own.
		Entry entry = this.store.entries.get(new LocMemKey(keyHead, key));
		if (entry == null) {
			return NOT_FOUND;
		}
		if (entry.expiresAt != Long.MAX_VALUE && entry.isExpired(now())) {
			this.store.entries.remove(new LocMemKey(keyHead, key), entry);
			return NOT_FOUND;
		}
		entry.stamp(this.store.tick());
		Object value = entry.value;
		return (value instanceof byte[] || value instanceof Serialized) ? copyOut(new LocMemKey(keyHead, key), entry)
				: value;
	}

	/**
	 * The store's key for a made key, split after this backend's {@code prefix:version:} of the configured version
	 * where it starts with it, as its reads look keys up, so that they compare the heads by identity.
	 */
	private LocMemKey key(String madeKey) {
		String head = keyHead(settings().version());
		if (head != null && madeKey.startsWith(head)) {
			return new LocMemKey(head, madeKey.substring(head.length()));
		}
		return LocMemKey.of(madeKey);
	}

	@Override
	protected boolean doHasKey(String madeKey) {
		// Django's has_key neither copies the value nor changes the LRU order.
		LocMemKey key = LocMemKey.of(madeKey);
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
	protected void doSet(String madeKey, @Nullable Object value, Timeout timeout) {
		Object stored = copyIn(value);
		long expiresAt = expiry(timeout);
		this.store.writeLock.lock();
		try {
			put(key(madeKey), stored, expiresAt);
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected boolean doAdd(String madeKey, @Nullable Object value, Timeout timeout) {
		Object stored = copyIn(value);
		long expiresAt = expiry(timeout);
		LocMemKey key = key(madeKey);
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
	private void put(LocMemKey key, @Nullable Object stored, long expiresAt) {
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
		recordEvictions(removed);
	}

	@Override
	protected boolean doTouch(String madeKey, Timeout timeout) {
		long expiresAt = expiry(timeout);
		LocMemKey key = LocMemKey.of(madeKey);
		this.store.writeLock.lock();
		try {
			Entry entry = this.store.entries.get(key);
			if (entry == null || entry.isExpired(now())) {
				return false;
			}
			// Django's touch does not change the LRU order.
			this.store.entries.put(key, new Entry(entry.value, expiresAt, entry.stamp()));
			return true;
		}
		finally {
			this.store.writeLock.unlock();
		}
	}

	@Override
	protected boolean doDelete(String madeKey) {
		LocMemKey key = LocMemKey.of(madeKey);
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
	protected long doIncr(String madeKey, String rawKey, long delta) {
		LocMemKey key = LocMemKey.of(madeKey);
		this.store.writeLock.lock();
		try {
			Entry entry = this.store.entries.get(key);
			if (entry == null || entry.isExpired(now())) {
				// Django's locmem names the made key here.
				throw notFound(madeKey);
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
		if (this.coarseClock) {
			CoarseSystemClock.SHARED.release();
		}
	}

	/**
	 * The expiry of an entry written now; {@link Long#MIN_VALUE} if it expires at once (a zero or negative timeout), so
	 * that it reads as expired whatever time a reader's clock gives, also a millisecond behind this write's.
	 */
	private long expiry(Timeout timeout) {
		long now = now();
		long expiresAt = expiresAt(timeout, now);
		return (expiresAt <= now) ? Long.MIN_VALUE : expiresAt;
	}

	private long now() {
		return this.coarseClock ? CoarseSystemClock.SHARED.millis() : settings().clock().millis();
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

	private @Nullable Object copyOut(LocMemKey key, Entry entry) {
		Object value = entry.value;
		if (value instanceof byte[] bytes) {
			return bytes.clone();
		}
		if (value instanceof Serialized serialized) {
			try {
				return this.serializer.deserialize(serialized.bytes());
			}
			catch (UnreadableValueException ex) {
				unreadableEntry(key.toString(), ex);
				this.store.entries.remove(key, entry);
				return NOT_FOUND;
			}
		}
		return value;
	}


	// ---------------------------------------------------------------- inspection (Actuator)

	/**
	 * The shared store's keys, most recently used first, without copying or deserializing any value. Sizes are the
	 * bytes kept for serialized values and {@code byte[]}, the UTF-8 length of strings, and the decimal length of
	 * other immutable values.
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		long now = now();
		List<Map.Entry<LocMemKey, Entry>> live = new ArrayList<>();
		for (Map.Entry<LocMemKey, Entry> entry : this.store.entries.entrySet()) {
			if (!entry.getValue().isExpired(now)) {
				live.add(entry);
			}
		}
		live.sort(Comparator.comparingLong((Map.Entry<LocMemKey, Entry> e) -> e.getValue().stamp()).reversed());
		List<KeyInfo> keys = new ArrayList<>(Math.min(limit, live.size()));
		for (Map.Entry<LocMemKey, Entry> entry : live.subList(0, Math.min(Math.max(limit, 0), live.size()))) {
			Entry value = entry.getValue();
			keys.add(new KeyInfo(entry.getKey().toString(), storedSize(value.value),
					(value.expiresAt != Long.MAX_VALUE) ? Instant.ofEpochMilli(value.expiresAt) : null));
		}
		return keys;
	}

	@Override
	public Long entryCount() {
		return (long) this.store.entries.size();
	}

	/**
	 * An estimate: the sum of {@link #inspectKeys(int) key sizes} and key lengths, without JVM object overhead.
	 */
	@Override
	public Long byteCount() {
		long bytes = 0;
		for (Map.Entry<LocMemKey, Entry> entry : this.store.entries.entrySet()) {
			bytes += entry.getKey().length() + storedSize(entry.getValue().value);
		}
		return bytes;
	}

	@Override
	public Map<String, Object> inspectionDetails() {
		return Map.of("maxEntries", this.maxEntries, "cullFrequency", this.cullFrequency);
	}

	@Override
	public List<ComponentHealth> checkHealth() {
		// Process memory cannot be unreachable: report what an operator wants to see next to "UP".
		return List.of(ComponentHealth.up("memory", Map.of("location", this.store.location, "entries",
				this.store.entries.size(), "maxEntries", this.maxEntries)));
	}

	private static long storedSize(@Nullable Object stored) {
		if (stored == null) {
			return 0;
		}
		if (stored instanceof Serialized serialized) {
			return serialized.bytes().length;
		}
		if (stored instanceof byte[] bytes) {
			return bytes.length;
		}
		if (stored instanceof String text) {
			return text.getBytes(StandardCharsets.UTF_8).length;
		}
		return String.valueOf(stored).length();
	}

}
