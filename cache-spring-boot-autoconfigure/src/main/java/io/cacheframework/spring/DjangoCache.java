package io.cacheframework.spring;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.cacheframework.core.AsyncCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheKeys;
import io.cacheframework.core.CacheStatistics;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;

/**
 * A Spring {@link org.springframework.cache.Cache} over a {@link CacheBackend}, so that {@code @Cacheable},
 * {@code @CachePut} and {@code @CacheEvict} use Django-style caches.
 *
 * <p>A cache named like a configured alias is that alias's whole backend: {@link #clear()} clears it. Any other
 * name is a <em>namespace</em> inside the default backend: its keys carry the name and a generation number kept in
 * the backend itself, and {@link #clear()} moves to a new generation, so clearing one name never touches another
 * name's entries on any backend, memcached included (whose only native clear is {@code flush_all}). A namespace
 * costs one extra read per operation; configure an alias for a hot cache name to avoid it.
 *
 * <p>A key becomes text unambiguously: a {@code String} is itself (so {@code @Cacheable(key = "'x'")} and
 * {@code backend.get("x")} share an entry), other types carry a type tag and composite keys ({@code SimpleKey},
 * lists, records, ...) length-prefixed parts, so keys that are not {@code equals} never share an entry (the format is
 * in {@code docs/spring.md}, "Keys"). A text that is long, contains whitespace or control characters, or has a
 * lone surrogate is replaced by {@code #} and its SHA-256, so every key is valid on memcached. {@code null} values
 * are stored as values (Django stores {@code None}), Spring's {@link NullValue} sentinel as {@code null} too.
 *
 * <p>What it counts is in {@link #statistics()}: an alias's backend statistics, or a namespace's own.
 *
 * @since 0.1.0
 */
public class DjangoCache extends AbstractValueAdaptingCache {

	/**
	 * Keys longer than this many bytes are hashed, leaving room for the key prefix, version and namespace.
	 */
	static final int MAX_PLAIN_KEY_BYTES = 160;

	private static final String GENERATION_KEY_PREFIX = "spring.cache.namespace.";

	private static final Object MISS = new Object();

	private final String name;

	private final CacheBackend backend;

	private final @Nullable String namespace;

	/**
	 * A namespace's own counters ({@code null} for an alias, which its backend counts): a namespace shares its
	 * backend, and that backend's statistics, with the default alias and every other name.
	 */
	private final @Nullable CacheStatistics namespaceStatistics;

	/**
	 * A cache that is the whole of a backend (the name is an alias).
	 * @param name the cache name
	 * @param backend the backend
	 */
	public DjangoCache(String name, CacheBackend backend) {
		this(name, backend, false);
	}

	/**
	 * A cache over a backend.
	 * @param name the cache name
	 * @param backend the backend
	 * @param namespaced whether the cache is a namespace inside the backend rather than all of it
	 */
	public DjangoCache(String name, CacheBackend backend, boolean namespaced) {
		super(true);
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.backend = Objects.requireNonNull(backend, "backend must not be null");
		this.namespace = namespaced ? safeKey(name) : null;
		this.namespaceStatistics = namespaced ? new CacheStatistics() : null;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public CacheBackend getNativeCache() {
		return this.backend;
	}

	/**
	 * Whether this cache is a namespace inside a shared backend.
	 * @return whether it is namespaced
	 */
	public boolean isNamespaced() {
		return this.namespace != null;
	}

	/**
	 * What this cache has counted. For an alias, its backend's statistics: every call counts, the low-level API's
	 * included, and evictions are the entries the backend culled. For a namespace, its own: lookups, stored values,
	 * and keys removed ({@code @CacheEvict}), which count as its evictions too since it cannot see what the shared
	 * backend culls; its reads and writes also count in the backend's statistics.
	 * @return the statistics
	 */
	public CacheStatistics statistics() {
		return (this.namespaceStatistics != null) ? this.namespaceStatistics : this.backend.statistics();
	}

	@Override
	protected @Nullable Object lookup(Object key) {
		Object value = this.backend.getOrDefault(backendKey(key), MISS);
		countLookup(value != MISS);
		if (value == MISS) {
			return null;
		}
		return (value != null) ? value : NullValue.INSTANCE;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		String backendKey = backendKey(key);
		boolean[] loaded = new boolean[1];
		T value = (T) this.backend.getOrSet(backendKey, () -> {
			loaded[0] = true;
			try {
				return storable(valueLoader.call());
			}
			catch (Exception ex) {
				throw new ValueRetrievalException(key, valueLoader, ex);
			}
		});
		countLoad(loaded[0]);
		return value;
	}

	/**
	 * The value as a future, without blocking a thread: on memcached and Redis the clients' own futures, on locmem
	 * completed at once, on the database and file system the bounded executor. An outage completes it as a miss.
	 * @param key the Spring cache key
	 * @return a {@link ValueWrapper} (its value {@code null} for a stored {@code null}), or {@code null} on a miss
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return backendKeyAsync(key)
			.thenCompose((backendKey) -> this.backend.async().getOrDefault(backendKey, MISS))
			.thenApply((value) -> {
				countLookup(value != MISS);
				if (value == MISS) {
					return null;
				}
				return toValueWrapper((value != null) ? value : NullValue.INSTANCE);
			});
	}

	/**
	 * The cached value, or the loader's, without blocking a thread: the loader runs only on a miss and only once at
	 * a time per key in this JVM (Django's {@code aget_or_set}, sharing one load with the blocking
	 * {@link #get(Object, Callable)}), and its value is stored once it completes. This is what
	 * {@code @Cacheable(sync = true)} calls for a method returning {@code CompletableFuture}, {@code Mono} or
	 * {@code Flux}.
	 * @param key the Spring cache key
	 * @param valueLoader starts computing the value on a miss
	 * @param <T> the value type
	 * @return the cached or loaded value; fails with the loader's failure
	 */
	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		AtomicBoolean loaded = new AtomicBoolean();
		return backendKeyAsync(key)
			.thenCompose((backendKey) -> this.backend.async().<@Nullable Object>getOrSet(backendKey, () -> {
				loaded.set(true);
				return valueLoader.get().thenApply(DjangoCache::storable);
			}))
			.thenApply((value) -> {
				countLoad(loaded.get());
				return (T) value;
			});
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		this.backend.set(backendKey(key), storable(value), Timeout.DEFAULT);
		countStored();
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String backendKey = backendKey(key);
		if (this.backend.add(backendKey, storable(value))) {
			countStored();
			return null;
		}
		Object existing = this.backend.getOrDefault(backendKey, MISS);
		return (existing != MISS) ? toValueWrapper((existing != null) ? existing : NullValue.INSTANCE) : null;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		boolean evicted = this.backend.delete(backendKey(key));
		if (evicted && this.namespaceStatistics != null) {
			this.namespaceStatistics.recordDeletes(1);
			this.namespaceStatistics.recordEvictions(1);
		}
		return evicted;
	}

	@Override
	public void clear() {
		if (this.namespace == null) {
			this.backend.clear();
		}
		else {
			this.backend.set(generationKey(), newGeneration(), Timeout.NEVER);
		}
	}

	@Override
	public boolean invalidate() {
		clear();
		return true;
	}

	/**
	 * Spring's null sentinel is stored as {@code null}, as Django stores {@code None}: the stores know nothing of
	 * Spring's types, and {@link #lookup} turns a stored {@code null} back into the sentinel.
	 */
	private static @Nullable Object storable(@Nullable Object value) {
		return (value instanceof NullValue) ? null : value;
	}

	// A namespace counts what goes through it; an alias's backend counts every call itself.

	private void countLookup(boolean hit) {
		if (this.namespaceStatistics != null) {
			if (hit) {
				this.namespaceStatistics.recordHits(1);
			}
			else {
				this.namespaceStatistics.recordMisses(1);
			}
		}
	}

	private void countLoad(boolean loaded) {
		countLookup(!loaded);
		if (loaded) {
			countStored();
		}
	}

	private void countStored() {
		if (this.namespaceStatistics != null) {
			this.namespaceStatistics.recordSets(1);
		}
	}

	/**
	 * The key this cache passes to the backend for a Spring cache key (the backend then adds its prefix and
	 * version).
	 * @param key the Spring cache key
	 * @return the backend key
	 */
	public String backendKey(Object key) {
		String text = safeKey(KeyText.of(key));
		if (this.namespace == null) {
			return text;
		}
		return this.namespace + ':' + generation() + ':' + text;
	}

	/**
	 * {@link #backendKey(Object)} without blocking: a namespace's generation is read through the asynchronous API.
	 */
	private CompletableFuture<String> backendKeyAsync(Object key) {
		String text;
		try {
			text = safeKey(KeyText.of(key));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (this.namespace == null) {
			return CompletableFuture.completedFuture(text);
		}
		String namespace = this.namespace;
		AsyncCacheBackend async = this.backend.async();
		String generationKey = generationKey();
		return async.get(generationKey).thenCompose((generation) -> {
			if (generation != null) {
				return CompletableFuture.completedFuture(generation.toString());
			}
			// As generation(): a random start, and the stored one wins a race.
			String fresh = newGeneration();
			return async.add(generationKey, fresh, Timeout.NEVER)
				.thenCompose((added) -> async.get(generationKey))
				.thenApply((stored) -> (stored != null) ? stored.toString() : fresh);
		}).thenApply((generation) -> namespace + ':' + generation + ':' + text);
	}

	private String generation() {
		String generationKey = generationKey();
		Object generation = this.backend.get(generationKey);
		if (generation == null) {
			// A random start (not 0) so that entries written under a lost generation never come back.
			String fresh = newGeneration();
			this.backend.add(generationKey, fresh, Timeout.NEVER);
			generation = this.backend.get(generationKey);
			if (generation == null) {
				return fresh;
			}
		}
		return generation.toString();
	}

	private String generationKey() {
		return GENERATION_KEY_PREFIX + this.namespace;
	}

	private static String newGeneration() {
		return UUID.randomUUID().toString().substring(0, 13);
	}

	static String safeKey(String text) {
		if (CacheKeys.isSafe(text, MAX_PLAIN_KEY_BYTES) && !text.startsWith("#")) {
			return text;
		}
		return '#' + sha256(text);
	}

	private static String sha256(String text) {
		try {
			// Not String.getBytes: it writes '?' for a lone surrogate, so two texts would share a digest.
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(CacheKeys.utf8Bytes(text));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

}
