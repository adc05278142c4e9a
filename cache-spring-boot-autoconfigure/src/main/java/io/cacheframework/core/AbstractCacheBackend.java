package io.cacheframework.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code BaseCache}: what every backend has in common, so that a backend implements only its primitives
 * ({@link #doGet}, {@link #doSet}, {@link #doAdd}, {@link #doTouch}, {@link #doDelete}, {@link #doClear}) and
 * overrides the bulk and counter primitives only where its store does them better.
 *
 * <p>This class owns:
 * <ul>
 * <li>key making ({@code KEY_PREFIX}, {@code VERSION}, {@code KEY_FUNCTION}) and validation, before every primitive
 * call: a made key over 250 UTF-8 bytes or with whitespace or control characters is logged at WARN on the logger
 * {@code io.cacheframework.core.CacheKeyWarning} with Django's wording (memcached throws
 * {@link InvalidCacheKeyException} instead, see {@link #rejectsInvalidKeys()}); a key with a lone surrogate, which
 * has no UTF-8 form, throws on every backend;</li>
 * <li>versions ({@link #withVersion}, {@link #incrVersion}) and timeouts ({@link Timeout#DEFAULT} is resolved
 * before a primitive sees it);</li>
 * <li>Django's default bulk and counter operations, built on the primitives;</li>
 * <li>single-flight {@link #getOrSet} ({@link SingleFlight});</li>
 * <li>one guarded call around every primitive: a {@link CacheAccessException} becomes a miss or a failed write,
 * and every call is counted, timed and, if it failed, logged ({@link CacheMonitor}).</li>
 * </ul>
 * Primitives receive made, validated keys and resolved timeouts, and never see a caller's mistake.
 *
 * @since 0.1.0
 */
public abstract class AbstractCacheBackend implements CacheBackend {

	/**
	 * Returned by {@link #doGet} for a miss, so that a stored {@code null} can be told apart.
	 */
	protected static final Object NOT_FOUND = new Object() {

		@Override
		public String toString() {
			return "NOT_FOUND";
		}

	};

	private static final Log keyWarnings = LogFactory.getLog("io.cacheframework.core.CacheKeyWarning");

	/**
	 * This backend's logger.
	 */
	protected final Log logger = LogFactory.getLog(getClass());

	private final CacheSettings settings;

	private final KeyFunction keyFunction;

	/**
	 * {@code prefix:version:} for the configured version when the key function is Django's default, else
	 * {@code null}: made once, so that a read neither formats the version nor builds the made key.
	 */
	private final @Nullable String keyHead;

	/**
	 * How many UTF-8 bytes a caller's key may have after {@link #keyHead} for the made key to fit memcached's limit;
	 * negative if the head itself is not memcached-safe.
	 */
	private final int keyBudget;

	final CacheMonitor monitor;

	/**
	 * The record of a store that finds entries only by their exact made key, or {@code null}: see
	 * {@link #findsKeysByExactText}.
	 */
	private @Nullable WrittenKeys writtenKeys;

	private final AtomicBoolean closed = new AtomicBoolean();

	/**
	 * Create a backend.
	 * @param settings the cache's settings
	 */
	protected AbstractCacheBackend(CacheSettings settings) {
		this.settings = Objects.requireNonNull(settings, "settings must not be null");
		this.keyFunction = settings.keyFunction();
		this.keyHead = (this.keyFunction == KeyFunction.DEFAULT) ? defaultKeyHead(settings.version()) : null;
		this.keyBudget = (this.keyHead != null) ? keyBudget(this.keyHead) : -1;
		this.monitor = new CacheMonitor(this, this.logger, settings.clock());
	}

	// ---------------------------------------------------------------- primitives

	/**
	 * Read a key.
	 * @param key the made, validated key
	 * @return the value ({@code null} if {@code null} was stored), or {@link #NOT_FOUND}
	 * @throws CacheAccessException if the store cannot be read
	 */
	protected abstract @Nullable Object doGet(String key);

	/**
	 * Read the key {@code keyHead + key} that Django's default key function makes, for a store that can look a key
	 * up by its two parts without building it (locmem). The base class has validated the key, unless the backend
	 * declared that its store {@linkplain #findsKeysByExactText finds keys by their exact text}: then a key the store
	 * does not find is validated after this call. The default builds the key and calls {@link #doGet(String)}.
	 * @param keyHead the made key's head, {@code prefix:version:}
	 * @param key the rest of the made key: the caller's key
	 * @return the value ({@code null} if {@code null} was stored), or {@link #NOT_FOUND}
	 * @throws CacheAccessException if the store cannot be read
	 */
	protected @Nullable Object doGet(String keyHead, String key) {
		return doGet(keyHead.concat(key));
	}

	/**
	 * Store a value.
	 * @param key the made, validated key
	 * @param value the value
	 * @param timeout the resolved timeout (never {@link Timeout#DEFAULT})
	 * @throws ValueNotStorableException if the value cannot be stored (nothing is stored)
	 * @throws CacheAccessException if the store cannot be written
	 */
	protected abstract void doSet(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Store a value if the key is absent or expired.
	 * @param key the made, validated key
	 * @param value the value
	 * @param timeout the resolved timeout
	 * @return whether it was stored
	 */
	protected abstract boolean doAdd(String key, @Nullable Object value, Timeout timeout);

	/**
	 * Set a new expiry.
	 * @param key the made, validated key
	 * @param timeout the resolved timeout
	 * @return whether the key exists
	 */
	protected abstract boolean doTouch(String key, Timeout timeout);

	/**
	 * Remove a key.
	 * @param key the made, validated key
	 * @return whether something was removed
	 */
	protected abstract boolean doDelete(String key);

	/**
	 * Remove everything.
	 */
	protected abstract void doClear();

	/**
	 * Whether a key is present. The default reads it.
	 * @param key the made, validated key
	 * @return whether it is present and not expired
	 */
	protected boolean doHasKey(String key) {
		return doGet(key) != NOT_FOUND;
	}

	/**
	 * Read many keys. The default reads them one by one, by their parts where the key function is Django's (right
	 * for a store in memory); a store with a bulk read overrides it to save round trips.
	 * @param keys the made, validated keys, each with its two parts (the head is {@code null} for keys made by
	 * another key function)
	 * @return the hits by made key
	 */
	protected Map<String, @Nullable Object> doGetMany(List<MadeKey> keys) {
		Map<String, @Nullable Object> found = new HashMap<>(capacity(keys.size()));
		for (MadeKey key : keys) {
			Object value = (key.head() != null) ? doGet(key.head(), key.key()) : doGet(key.made());
			if (value != NOT_FOUND) {
				found.put(key.made(), value);
			}
		}
		return found;
	}

	/**
	 * Store many values. The default stores them one by one; a value that cannot be stored, or a store failure,
	 * fails that key only.
	 * @param values values by made, validated key
	 * @param timeout the resolved timeout
	 * @return the made keys that could not be stored
	 */
	protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
			try {
				doSet(entry.getKey(), entry.getValue(), timeout);
			}
			catch (ValueNotStorableException ex) {
				this.logger.warn("Cache '" + alias() + "' could not store key " + CacheKeys.repr(entry.getKey())
						+ ": " + ex.getMessage());
				failed.add(entry.getKey());
			}
			catch (CacheAccessException ex) {
				storeFailed("set", ex);
				failed.add(entry.getKey());
			}
		}
		return failed;
	}

	/**
	 * Remove many keys. The default removes them one by one.
	 * @param keys made, validated keys
	 */
	protected void doDeleteMany(List<String> keys) {
		for (String key : keys) {
			doDelete(key);
		}
	}

	/**
	 * Add to a stored number. The default is Django's: read, add, and store with the default timeout (not atomic);
	 * backends with a shared store override it with an atomic operation.
	 * @param key the made, validated key
	 * @param rawKey the caller's key, for Django's "not found" message
	 * @param delta the amount
	 * @return the new value
	 * @throws NoSuchElementException if the key is missing
	 */
	protected long doIncr(String key, String rawKey, long delta) {
		Object current = doGet(key);
		if (current == NOT_FOUND) {
			throw notFound(rawKey);
		}
		Number updated = addToNumber(current, delta, rawKey);
		doSet(key, updated, this.settings.timeout());
		return updated.longValue();
	}

	/**
	 * Release resources; called once by {@link #close()}.
	 */
	protected void doClose() {
	}

	// ---------------------------------------------------------------- asynchronous primitives

	/**
	 * Whether the default asynchronous primitives run the blocking ones in the caller's thread (a store in memory,
	 * whose calls never wait) rather than on the {@link CacheSettings#executor() executor}. The default is
	 * {@code false}. A store with an asynchronous client overrides the asynchronous primitives instead.
	 * @return whether asynchronous calls complete in the caller
	 */
	protected boolean completesInCaller() {
		return false;
	}

	/**
	 * Read a key without blocking the caller.
	 * @param key the made, validated key
	 * @return the value, or {@link #NOT_FOUND}; a store failure completes it with a {@link CacheAccessException}
	 */
	protected CompletableFuture<@Nullable Object> doGetAsync(String key) {
		return blocking(() -> doGet(key));
	}

	/**
	 * Read a key by its parts without blocking the caller (see {@link #doGet(String, String)}).
	 * @param keyHead the made key's head
	 * @param key the caller's key
	 * @return the value, or {@link #NOT_FOUND}
	 */
	protected CompletableFuture<@Nullable Object> doGetAsync(String keyHead, String key) {
		return blocking(() -> doGet(keyHead, key));
	}

	/**
	 * Store a value without blocking the caller.
	 * @param key the made, validated key
	 * @param value the value
	 * @param timeout the resolved timeout
	 * @return completes when stored
	 */
	protected CompletableFuture<@Nullable Void> doSetAsync(String key, @Nullable Object value, Timeout timeout) {
		return blocking(() -> {
			doSet(key, value, timeout);
			return null;
		});
	}

	/**
	 * Store a value if absent without blocking the caller.
	 * @param key the made, validated key
	 * @param value the value
	 * @param timeout the resolved timeout
	 * @return whether it was stored
	 */
	protected CompletableFuture<Boolean> doAddAsync(String key, @Nullable Object value, Timeout timeout) {
		return blocking(() -> doAdd(key, value, timeout));
	}

	/**
	 * Set a new expiry without blocking the caller.
	 * @param key the made, validated key
	 * @param timeout the resolved timeout
	 * @return whether the key exists
	 */
	protected CompletableFuture<Boolean> doTouchAsync(String key, Timeout timeout) {
		return blocking(() -> doTouch(key, timeout));
	}

	/**
	 * Remove a key without blocking the caller.
	 * @param key the made, validated key
	 * @return whether something was removed
	 */
	protected CompletableFuture<Boolean> doDeleteAsync(String key) {
		return blocking(() -> doDelete(key));
	}

	/**
	 * Whether a key is present, without blocking the caller.
	 * @param key the made, validated key
	 * @return whether it is present
	 */
	protected CompletableFuture<Boolean> doHasKeyAsync(String key) {
		return blocking(() -> doHasKey(key));
	}

	/**
	 * Read many keys without blocking the caller.
	 * @param keys the made, validated keys
	 * @return the hits by made key
	 */
	protected CompletableFuture<Map<String, @Nullable Object>> doGetManyAsync(List<MadeKey> keys) {
		return blocking(() -> doGetMany(keys));
	}

	/**
	 * Store many values without blocking the caller.
	 * @param values values by made, validated key
	 * @param timeout the resolved timeout
	 * @return the made keys that could not be stored
	 */
	protected CompletableFuture<List<String>> doSetManyAsync(Map<String, @Nullable Object> values, Timeout timeout) {
		return blocking(() -> doSetMany(values, timeout));
	}

	/**
	 * Remove many keys without blocking the caller.
	 * @param keys made, validated keys
	 * @return completes when done
	 */
	protected CompletableFuture<@Nullable Void> doDeleteManyAsync(List<String> keys) {
		return blocking(() -> {
			doDeleteMany(keys);
			return null;
		});
	}

	/**
	 * Add to a stored number without blocking the caller.
	 * @param key the made, validated key
	 * @param rawKey the caller's key
	 * @param delta the amount
	 * @return the new value; fails with {@link NoSuchElementException} if the key is missing
	 */
	protected CompletableFuture<Long> doIncrAsync(String key, String rawKey, long delta) {
		return blocking(() -> doIncr(key, rawKey, delta));
	}

	/**
	 * Remove everything without blocking the caller.
	 * @return completes when done
	 */
	protected CompletableFuture<@Nullable Void> doClearAsync() {
		return blocking(() -> {
			doClear();
			return null;
		});
	}

	/**
	 * Run a blocking primitive for the asynchronous API: in the caller where the store {@link #completesInCaller()},
	 * else on the bounded executor, whose refusal is a {@link CacheAccessException} (a miss or a failed write).
	 * @param call the blocking call
	 * @param <R> its result
	 * @return its outcome
	 */
	protected final <R> CompletableFuture<R> blocking(Supplier<R> call) {
		if (completesInCaller()) {
			try {
				return CompletableFuture.completedFuture(call.get());
			}
			catch (RuntimeException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}
		return this.settings.executor().submit(call);
	}

	// ---------------------------------------------------------------- what a backend declares

	/**
	 * Whether a key that memcached would refuse is an error ({@link InvalidCacheKeyException}, before any I/O) rather
	 * than a warning: Django's memcached backends raise, the others warn. The default is {@code false}.
	 * @return whether invalid keys throw
	 */
	protected boolean rejectsInvalidKeys() {
		return false;
	}

	/**
	 * Declare, from the constructor, that this backend's store finds an entry only by its exact made key, as Java
	 * text, and holds only entries written through this class (locmem): a key such a store finds passed validation
	 * when it was written, so {@code get} validates its key only when the store does not find it, until a key fails
	 * at this store ({@link WrittenKeys}). Every backend over one store must pass that store's record.
	 * @param keys the store's record
	 */
	protected final void findsKeysByExactText(WrittenKeys keys) {
		this.writtenKeys = Objects.requireNonNull(keys, "keys must not be null");
	}

	/**
	 * What identifies the underlying store for single-flight {@link #getOrSet}: two backends returning the same
	 * object share flights. Defaults to this backend.
	 * @return the store identity
	 */
	protected Object storeIdentity() {
		return this;
	}

	// ---------------------------------------------------------------- what a backend may call

	/**
	 * Report a failure that a primitive handled itself (e.g. one part of a bulk write, a failed cull): counted and
	 * logged like a failed call.
	 * @param operation the operation, e.g. {@code "cull"}
	 * @param ex the failure
	 */
	protected final void storeFailed(String operation, Exception ex) {
		this.monitor.failed(operation, ex);
	}

	/**
	 * Report a stored entry that could not be read back (corrupt, or refused by the serialization filter); the
	 * caller treats it as a miss and should remove it.
	 * @param key the made key
	 * @param ex the failure
	 */
	protected final void unreadableEntry(String key, Exception ex) {
		this.monitor.unreadable(key, ex);
	}

	/**
	 * Report entries removed to make room (culled).
	 * @param count how many
	 */
	protected final void recordEvictions(long count) {
		this.monitor.statistics.recordEvictions(count);
	}

	/**
	 * Django's "not found" error for {@code incr} and {@code incr_version}.
	 * @param key the key to name (Django names the made key on some backends, the caller's on others)
	 * @return the exception
	 */
	protected static NoSuchElementException notFound(String key) {
		return new NoSuchElementException("Key '" + key + "' not found");
	}

	/**
	 * Add to a stored integer, keeping its type: an {@code Integer} stays an {@code Integer} while it fits, then
	 * becomes a {@code Long}.
	 * @param current the stored value
	 * @param delta the amount
	 * @param key the key, for the error message
	 * @return the new value
	 * @throws IllegalStateException if the value is not an integer
	 * @throws ArithmeticException if a {@code Long} overflows
	 */
	protected static Number addToNumber(@Nullable Object current, long delta, String key) {
		if (current instanceof Integer || current instanceof Short || current instanceof Byte) {
			long result = ((Number) current).longValue() + delta;
			// Not a conditional expression: "cond ? Integer : Long" would unbox both and always return a Long.
			if (result == (int) result) {
				return Integer.valueOf((int) result);
			}
			return Long.valueOf(result);
		}
		if (current instanceof Long value) {
			return Math.addExact(value, delta);
		}
		if (current instanceof BigInteger value) {
			return value.add(BigInteger.valueOf(delta));
		}
		throw new IllegalStateException("Value of key '" + key + "' is not an integer: "
				+ ((current != null) ? current.getClass().getName() : "null"));
	}

	/**
	 * The absolute expiry of a resolved timeout in epoch milliseconds by this cache's clock, {@link Long#MAX_VALUE}
	 * for {@link Timeout#NEVER}. Zero or negative timeouts give a time at or before now (already expired).
	 * @param timeout a resolved timeout
	 * @return the expiry
	 */
	protected final long expiresAt(Timeout timeout) {
		return expiresAt(timeout, this.settings.clock().millis());
	}

	/**
	 * The absolute expiry of a resolved timeout counted from a given time, {@link Long#MAX_VALUE} for
	 * {@link Timeout#NEVER}, saturating instead of overflowing.
	 * @param timeout a resolved timeout
	 * @param now the current time in epoch milliseconds
	 * @return the expiry
	 */
	protected static long expiresAt(Timeout timeout, long now) {
		if (timeout.isNever()) {
			return Long.MAX_VALUE;
		}
		long millis;
		try {
			millis = timeout.toDuration().toMillis();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
		long result = now + millis;
		return (((now ^ result) & (millis ^ result)) < 0) ? Long.MAX_VALUE : result;
	}

	/**
	 * The head {@code prefix:version:} of keys made by Django's default key function, or {@code null} when another
	 * key function makes them: every key made for that version is this head followed by the caller's key.
	 * @param version the version
	 * @return the head, or {@code null}
	 */
	protected final @Nullable String keyHead(int version) {
		if (this.keyHead == null || version == this.settings.version()) {
			return this.keyHead;
		}
		return defaultKeyHead(version);
	}

	// ---------------------------------------------------------------- for operators

	@Override
	public String backendName() {
		return getClass().getName();
	}

	@Override
	public final String alias() {
		return this.settings.alias();
	}

	@Override
	public final CacheSettings settings() {
		return this.settings;
	}

	@Override
	public final CacheStatistics statistics() {
		return this.monitor.statistics;
	}

	@Override
	public final void setOperationListener(@Nullable CacheOperationListener listener) {
		this.monitor.setListener(listener);
	}

	// ---------------------------------------------------------------- keys

	@Override
	public final String makeKey(String key) {
		return makeKey(key, this.settings.version());
	}

	final String makeKey(String key, int version) {
		Objects.requireNonNull(key, "key must not be null");
		String head = keyHead(version);
		return (head != null) ? head.concat(key) : this.keyFunction.makeKey(key, this.settings.keyPrefix(), version);
	}

	private String defaultKeyHead(int version) {
		// The same text as KeyFunction.DEFAULT, which stays the one definition of Django's format.
		return KeyFunction.DEFAULT.makeKey("", this.settings.keyPrefix(), version);
	}

	private static int keyBudget(String head) {
		return CacheKeys.isSafe(head, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)
				? CacheKeys.MEMCACHED_MAX_KEY_LENGTH - CacheKeys.utf8Length(head) : -1;
	}

	/**
	 * Validate the made key {@code head + key} without building it, unless it is invalid.
	 */
	final void validate(String head, String key) {
		int budget = (head == this.keyHead) ? this.keyBudget : keyBudget(head);
		if (budget < 0 || !CacheKeys.isSafe(key, budget)) {
			invalid(head.concat(key));
		}
	}

	final String makeAndValidate(String key, int version) {
		String made = makeKey(key, version);
		if (!CacheKeys.isSafe(made, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)) {
			invalid(made);
		}
		return made;
	}

	/**
	 * A made key failed the check: a lone surrogate is refused on every backend (UTF-8 has no form for it, so a store
	 * would write '?' and this key would share another key's entry); memcached's rules warn, or throw where the
	 * backend {@link #rejectsInvalidKeys() rejects} invalid keys.
	 */
	private void invalid(String made) {
		int at = CacheKeys.loneSurrogateIndex(made);
		if (at >= 0) {
			throw new InvalidCacheKeyException("Cache key contains a lone surrogate (U+"
					+ Integer.toHexString(made.charAt(at)).toUpperCase(Locale.ROOT) + " at index " + at
					+ ") that cannot be encoded as UTF-8, so it would share an entry with another key: "
					+ CacheKeys.repr(made));
		}
		List<String> problems = CacheKeys.problems(made);
		if (rejectsInvalidKeys()) {
			throw new InvalidCacheKeyException(problems.isEmpty() ? "Invalid cache key: " + CacheKeys.repr(made)
					: problems.get(0));
		}
		WrittenKeys written = this.writtenKeys;
		if (written != null) {
			written.recordFailedKey();
		}
		for (String problem : problems) {
			keyWarnings.warn(problem);
		}
	}

	/**
	 * Resolve {@link Timeout#DEFAULT} to this cache's default timeout.
	 * @param timeout a timeout
	 * @return a concrete timeout
	 */
	protected final Timeout resolve(Timeout timeout) {
		return Objects.requireNonNull(timeout, "timeout must not be null").orDefault(this.settings.timeout());
	}

	/**
	 * Call a primitive through the one guarded call: timed, and a store failure becomes {@code onFailure}.
	 */
	private <R> R guarded(CacheOperation operation, R onFailure, CacheMonitor.StoreCall<R> call) {
		return this.monitor.call(operation, onFailure, call);
	}

	// ---------------------------------------------------------------- public API (default version)

	@Override
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		return get(key, defaultValue, this.settings.version());
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		set(key, value, timeout, this.settings.version());
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return add(key, value, timeout, this.settings.version());
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		return getOrSet(key, supplier, timeout, this.settings.version());
	}

	@Override
	public boolean touch(String key, Timeout timeout) {
		return touch(key, timeout, this.settings.version());
	}

	@Override
	public boolean delete(String key) {
		return delete(key, this.settings.version());
	}

	@Override
	public boolean hasKey(String key) {
		return hasKey(key, this.settings.version());
	}

	@Override
	public Map<String, @Nullable Object> getMany(Collection<String> keys) {
		return getMany(keys, this.settings.version());
	}

	@Override
	public List<String> setMany(Map<String, ?> values, Timeout timeout) {
		return setMany(values, timeout, this.settings.version());
	}

	@Override
	public void deleteMany(Collection<String> keys) {
		deleteMany(keys, this.settings.version());
	}

	@Override
	public long incr(String key, long delta) {
		return incr(key, delta, this.settings.version());
	}

	@Override
	public int incrVersion(String key, int delta) {
		return incrVersion(key, delta, this.settings.version());
	}

	@Override
	public void clear() {
		guarded(CacheOperation.CLEAR, null, () -> {
			doClear();
			return null;
		});
	}

	@Override
	public CacheBackend withVersion(int version) {
		return new VersionedCacheBackend(this, version);
	}

	@Override
	public AsyncCacheBackend async() {
		return new AsyncView(this, this.settings.version());
	}

	@Override
	public final void close() {
		if (this.closed.compareAndSet(false, true)) {
			doClose();
		}
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[alias='" + alias() + "', location='" + this.settings.location() + "']";
	}

	// ---------------------------------------------------------------- the operations, for any version

	@SuppressWarnings("unchecked")
	final <T> @Nullable T get(String key, @Nullable T defaultValue, int version) {
		Object value = read(key, version);
		if (value == NOT_FOUND) {
			this.monitor.statistics.recordMisses(1);
			return defaultValue;
		}
		this.monitor.statistics.recordHits(1);
		return (T) value;
	}

	/**
	 * Validate and read one key, by its parts where the key function is Django's.
	 */
	private @Nullable Object read(String key, int version) {
		Objects.requireNonNull(key, "key must not be null");
		String head = keyHead(version);
		if (head == null) {
			return read(null, null, makeAndValidate(key, version));
		}
		WrittenKeys written = this.writtenKeys;
		if (written == null || written.keyFailed()) {
			validate(head, key);
			return read(head, key, null);
		}
		// A store of exact texts where no key ever failed finds only texts that passed when written (WrittenKeys):
		// a miss is validated after the lookup, and the record is read again in case a failing key just arrived.
		Object value = read(head, key, null);
		if (value == NOT_FOUND || written.keyFailed()) {
			validate(head, key);
		}
		return value;
	}

	/**
	 * The guarded call of the read path, written out rather than through {@link #guarded}: a hit must allocate
	 * nothing, and the JIT cannot remove a lambda passed through the shared, megamorphic guarded call.
	 * @param head the key's head, with {@code key}, for a read by parts; else {@code null}
	 * @param key the caller's key, or {@code null}
	 * @param made the made key, or {@code null} for a read by parts
	 */
	private @Nullable Object read(@Nullable String head, @Nullable String key, @Nullable String made) {
		long start = this.monitor.start();
		try {
			return (made != null) ? doGet(made) : doGet(head, key);
		}
		catch (CacheAccessException ex) {
			this.monitor.failed(CacheOperation.GET.tagValue(), ex);
			return NOT_FOUND;
		}
		finally {
			this.monitor.stop(CacheOperation.GET, start);
		}
	}

	final void set(String key, @Nullable Object value, Timeout timeout, int version) {
		String made = makeAndValidate(key, version);
		Timeout resolved = resolve(timeout);
		guarded(CacheOperation.SET, null, () -> {
			doSet(made, value, resolved);
			this.monitor.statistics.recordSets(1);
			return null;
		});
	}

	final boolean add(String key, @Nullable Object value, Timeout timeout, int version) {
		return addMade(makeAndValidate(key, version), value, resolve(timeout));
	}

	private boolean addMade(String made, @Nullable Object value, Timeout resolved) {
		return guarded(CacheOperation.ADD, false, () -> {
			boolean added = doAdd(made, value, resolved);
			if (added) {
				this.monitor.statistics.recordSets(1);
			}
			return added;
		});
	}

	@SuppressWarnings("unchecked")
	final <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout,
			int version) {
		Objects.requireNonNull(supplier, "supplier must not be null");
		String made = makeAndValidate(key, version);
		Object value = read(null, null, made);
		if (value != NOT_FOUND) {
			this.monitor.statistics.recordHits(1);
			return (T) value;
		}
		this.monitor.statistics.recordMisses(1);
		Timeout resolved = resolve(timeout);
		return SingleFlight.run(storeIdentity(), made, () -> {
			// A previous flight may have stored the value between our miss and leading this one.
			Object current = read(null, null, made);
			if (current != NOT_FOUND) {
				return (T) current;
			}
			T computed = supplier.get();
			addMade(made, computed, resolved);
			// Django: add() then get(key, default), so a lost race returns the winner's value.
			Object stored = read(null, null, made);
			return (stored != NOT_FOUND) ? (T) stored : computed;
		}, (result) -> {
			// Read back so that each caller gets its own copy where the backend copies values.
			Object stored = read(null, null, made);
			return (stored != NOT_FOUND) ? (T) stored : result;
		});
	}

	final boolean touch(String key, Timeout timeout, int version) {
		String made = makeAndValidate(key, version);
		Timeout resolved = resolve(timeout);
		return guarded(CacheOperation.TOUCH, false, () -> doTouch(made, resolved));
	}

	final boolean delete(String key, int version) {
		String made = makeAndValidate(key, version);
		return guarded(CacheOperation.DELETE, false, () -> {
			boolean deleted = doDelete(made);
			if (deleted) {
				this.monitor.statistics.recordDeletes(1);
			}
			return deleted;
		});
	}

	final boolean hasKey(String key, int version) {
		String made = makeAndValidate(key, version);
		return guarded(CacheOperation.HAS_KEY, false, () -> doHasKey(made));
	}

	final Map<String, @Nullable Object> getMany(Collection<String> keys, int version) {
		List<MadeKey> toRead = distinctMadeKeys(keys, version);
		if (toRead.isEmpty()) {
			return Collections.emptyMap();
		}
		Map<String, @Nullable Object> found = guarded(CacheOperation.GET_MANY, Collections.emptyMap(),
				() -> doGetMany(toRead));
		return hits(toRead, found);
	}

	/**
	 * The made, validated keys of a bulk read, each once, in the caller's order. With Django's key function every
	 * key of one version shares its head, so distinct caller keys are distinct made keys: they are told apart by the
	 * caller's key, whose hash a string usually has already, rather than by the made key, new text to hash.
	 */
	final List<MadeKey> distinctMadeKeys(Collection<String> keys, int version) {
		boolean byCallerKey = keyHead(version) != null;
		Map<String, MadeKey> distinct = new LinkedHashMap<>(capacity(keys.size()));
		for (String key : keys) {
			MadeKey made = madeKey(key, version);
			distinct.putIfAbsent(byCallerKey ? key : made.made(), made);
		}
		return new ArrayList<>(distinct.values());
	}

	/**
	 * A bulk read's hits by the caller's keys, in the caller's order, counted.
	 */
	final Map<String, @Nullable Object> hits(List<MadeKey> read, Map<String, @Nullable Object> found) {
		Map<String, @Nullable Object> result = new LinkedHashMap<>(capacity(found.size()));
		for (MadeKey made : read) {
			Object value = found.get(made.made());
			// A cached null (Django's None) is a hit too.
			if (value != null || found.containsKey(made.made())) {
				result.put(made.key(), value);
			}
		}
		this.monitor.statistics.recordHits(result.size());
		this.monitor.statistics.recordMisses(read.size() - result.size());
		return result;
	}

	/**
	 * The made, validated keys of a bulk delete, each once.
	 */
	final List<String> distinctMadeKeyTexts(Collection<String> keys, int version) {
		Set<String> made = new LinkedHashSet<>(capacity(keys.size()));
		for (String key : keys) {
			made.add(makeAndValidate(key, version));
		}
		return new ArrayList<>(made);
	}

	/**
	 * A hash map's initial capacity for {@code entries} entries, so that filling it never rehashes.
	 */
	static int capacity(int entries) {
		return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(entries / 0.75d));
	}

	final MadeKey madeKey(String key, int version) {
		Objects.requireNonNull(key, "key must not be null");
		String head = keyHead(version);
		if (head != null) {
			validate(head, key);
			return new MadeKey(head, key, head.concat(key));
		}
		return new MadeKey(null, key, makeAndValidate(key, version));
	}

	final List<String> setMany(Map<String, ?> values, Timeout timeout, int version) {
		if (values.isEmpty()) {
			return new ArrayList<>();
		}
		Map<String, String> callerKeys = new LinkedHashMap<>();
		Map<String, @Nullable Object> made = new LinkedHashMap<>();
		for (Map.Entry<String, ?> entry : values.entrySet()) {
			String madeKey = makeAndValidate(entry.getKey(), version);
			callerKeys.put(madeKey, entry.getKey());
			made.put(madeKey, entry.getValue());
		}
		Timeout resolved = resolve(timeout);
		List<String> failedMade = guarded(CacheOperation.SET_MANY, new ArrayList<>(made.keySet()),
				() -> doSetMany(made, resolved));
		List<String> failed = new ArrayList<>(failedMade.size());
		for (String key : failedMade) {
			failed.add(callerKeys.get(key));
		}
		this.monitor.statistics.recordSets(made.size() - failed.size());
		return failed;
	}

	final void deleteMany(Collection<String> keys, int version) {
		List<String> made = distinctMadeKeyTexts(keys, version);
		if (!made.isEmpty()) {
			guarded(CacheOperation.DELETE_MANY, null, () -> {
				doDeleteMany(made);
				return null;
			});
		}
	}

	final long incr(String key, long delta, int version) {
		String made = makeAndValidate(key, version);
		Long result = guarded(CacheOperation.INCR, null, () -> doIncr(made, key, delta));
		if (result == null) {
			// An unreachable counter is a missing counter: the caller already handles that case.
			throw notFound(key);
		}
		return result;
	}

	final int incrVersion(String key, int delta, int version) {
		Object value = get(key, NOT_FOUND, version);
		if (value == NOT_FOUND) {
			throw notFound(key);
		}
		int newVersion = version + delta;
		set(key, value, Timeout.DEFAULT, newVersion);
		delete(key, version);
		return newVersion;
	}

	/**
	 * A made, validated key with its parts, for bulk reads.
	 *
	 * @param head the head {@code prefix:version:} when Django's key function made the key, else {@code null}
	 * @param key the caller's key
	 * @param made the made key
	 */
	protected record MadeKey(@Nullable String head, String key, String made) {
	}

}
