package io.cacheframework.core;

import java.lang.invoke.MethodType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code BaseCache}: everything a backend has in common, so that a backend implements only its
 * primitives ({@link #doGet}, {@link #doSet}, {@link #doAdd}, {@link #doTouch}, {@link #doDelete},
 * {@link #doClear}) and overrides the bulk and counter operations only where its store does them better.
 *
 * <p>This class owns, in one place:
 * <ul>
 * <li>key making ({@code KEY_PREFIX}, {@code VERSION}, {@code KEY_FUNCTION}) and validation, before any I/O: a made
 * key over 250 UTF-8 bytes or with whitespace or control characters is logged at WARN on the logger
 * {@code io.cacheframework.core.CacheKeyWarning}, with Django's wording, once per problem; a made key with a lone
 * surrogate (no UTF-8 form) throws {@link InvalidCacheKeyException} on every backend;</li>
 * <li>versioning ({@link #withVersion}, {@link #incrVersion}, {@link #decrVersion});</li>
 * <li>timeouts: {@link Timeout#DEFAULT} resolved against the configured default before a primitive sees it;</li>
 * <li>single-flight {@link #getOrSet}: one supplier call per key at a time within the JVM; if it throws, every
 * caller waiting for it gets that exception;</li>
 * <li>failure handling: a {@link CacheAccessException} from a primitive becomes a miss or a failed write, is
 * counted in {@link #statistics()} and logged: the first failure at once, then at most one line every 10 seconds;</li>
 * <li>statistics, and the duration of each primitive call for an optional {@link CacheOperationListener}
 * (metrics).</li>
 * </ul>
 * Primitives receive made, validated keys and resolved timeouts; the one exception is the optional
 * {@link #doGet(String, String)}, the read path of {@link #get(String)}, which receives the key in two parts and
 * validates it itself with {@link #checkKey(String, String)}.
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

	private static final Duration ERROR_LOG_INTERVAL = Duration.ofSeconds(10);

	private static final ConcurrentHashMap<FlightKey, Flight> flights = new ConcurrentHashMap<>();

	/**
	 * This backend's logger.
	 */
	protected final Log logger = LogFactory.getLog(getClass());

	private final CacheSettings settings;

	private final KeyFunction keyFunction;

	private final String keyPrefix;

	/**
	 * {@code prefix:version:} for the configured version when the key function is Django's default, else
	 * {@code null}: made once, so that a read does not format the version into every key.
	 */
	private final @Nullable String keyHead;

	/**
	 * How many UTF-8 bytes a key may have after {@link #keyHead} for the made key to fit memcached's limit; negative
	 * if the head itself is not memcached-safe.
	 */
	private final int keyBudget;

	private final CacheStatistics statistics = new CacheStatistics();

	private final LogRateLimiter errorLog = new LogRateLimiter(ERROR_LOG_INTERVAL);

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile @Nullable CacheOperationListener operationListener;

	/**
	 * Create a backend.
	 * @param settings the cache's settings
	 */
	protected AbstractCacheBackend(CacheSettings settings) {
		this.settings = Objects.requireNonNull(settings, "settings must not be null");
		this.keyFunction = settings.keyFunction();
		this.keyPrefix = settings.keyPrefix();
		this.keyHead = (this.keyFunction == KeyFunction.DEFAULT) ? defaultKeyHead(settings.version()) : null;
		this.keyBudget = (this.keyHead != null) ? keyBudget(this.keyHead) : -1;
	}

	// ---------------------------------------------------------------- primitives

	/**
	 * Read a made key.
	 * @param key the made, validated key
	 * @return the value ({@code null} if {@code null} was stored), or {@link #NOT_FOUND}
	 * @throws CacheAccessException if the store cannot be read
	 */
	protected abstract @Nullable Object doGet(String key);

	/**
	 * Read the key that Django's default key function makes, {@code keyHead + key}, where {@code keyHead} is
	 * {@code prefix:version:}. {@link #get(String)} calls this instead of {@link #doGet(String)} when the key function
	 * is {@link KeyFunction#DEFAULT}, so that a store able to look a key up by its two parts can serve a read without
	 * building the made key.
	 *
	 * <p>The key is <em>not validated yet</em>: an implementation calls {@link #checkKey(String, String)} before the
	 * key reaches its store. A store that holds the key and recorded that its text was valid when stored may skip the
	 * check on that hit, since the same text is valid again; locmem does, so that a hit does not scan the key. The
	 * default checks the key, builds it and calls {@link #doGet(String)}.
	 * @param keyHead the made key's head, {@code prefix:version:}
	 * @param key the rest of the made key: the caller's key
	 * @return the value ({@code null} if {@code null} was stored), or {@link #NOT_FOUND}
	 * @throws CacheAccessException if the store cannot be read
	 */
	protected @Nullable Object doGet(String keyHead, String key) {
		checkKey(keyHead, key);
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
	 * Whether {@link #getMany(Collection)} reads each key by its parts with {@link #doGet(String, String)}, instead of
	 * making every key and calling {@link #doGetMany(List)} once: for a store in memory, where a read by parts costs
	 * less than building the made keys and the maps between them, and there is no round trip to save. Used only with
	 * Django's default key function. The default is {@code false}.
	 * @return whether bulk reads go key by key
	 */
	protected boolean readsManyByKeyParts() {
		return false;
	}

	/**
	 * Read many keys. The default reads them one by one.
	 * @param keys made, validated keys
	 * @return the hits by made key
	 */
	protected Map<String, @Nullable Object> doGetMany(List<String> keys) {
		return readEach(null, keys);
	}

	/**
	 * Read keys one by one: made, validated keys ({@code uncheckedHead == null}), or caller's keys by their parts.
	 */
	private Map<String, @Nullable Object> readEach(@Nullable String uncheckedHead, Collection<String> keys) {
		Map<String, @Nullable Object> found = new LinkedHashMap<>();
		for (String key : keys) {
			Object value = (uncheckedHead != null) ? doGet(uncheckedHead, key) : doGet(key);
			if (value != NOT_FOUND) {
				found.put(key, value);
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
				this.logger.warn("Cache '" + alias() + "' could not store key '" + entry.getKey() + "': "
						+ ex.getMessage());
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
		Object updated = addToNumber(current, delta, rawKey);
		doSet(key, updated, this.settings.timeout());
		return ((Number) updated).longValue();
	}

	/**
	 * Release resources; called once by {@link #close()}.
	 */
	protected void doClose() {
	}

	/**
	 * What identifies the underlying store for single-flight {@link #getOrSet}: two backends returning the same
	 * object share flights. Defaults to this backend.
	 * @return the store identity
	 */
	protected Object storeIdentity() {
		return this;
	}

	/**
	 * The backend's short name as configured, e.g. {@code "locmem"}.
	 * @return the name
	 */
	public String backendName() {
		return getClass().getName();
	}

	// ---------------------------------------------------------------- accessors

	@Override
	public final String alias() {
		return this.settings.alias();
	}

	/**
	 * This cache's settings.
	 * @return the settings
	 */
	public final CacheSettings settings() {
		return this.settings;
	}

	/**
	 * Live counters.
	 * @return the statistics
	 */
	public final CacheStatistics statistics() {
		return this.statistics;
	}

	/**
	 * Report the duration of every store operation from now on (e.g. to Micrometer timers); {@code null} stops it.
	 * Without a listener no clock is read.
	 * @param listener the listener, or {@code null}
	 */
	public final void setOperationListener(@Nullable CacheOperationListener listener) {
		this.operationListener = listener;
	}

	private long startTiming() {
		return (this.operationListener != null) ? System.nanoTime() : 0L;
	}

	private void stopTiming(CacheOperation operation, long start) {
		CacheOperationListener listener = this.operationListener;
		if (start != 0L && listener != null) {
			listener.operationCompleted(operation, System.nanoTime() - start);
		}
	}

	// ---------------------------------------------------------------- keys

	@Override
	public final String makeKey(String key) {
		return makeKey(key, this.settings.version());
	}

	/**
	 * Make the stored key for a version.
	 * @param key the caller's key
	 * @param version the version
	 * @return the made key
	 */
	protected final String makeKey(String key, int version) {
		Objects.requireNonNull(key, "key must not be null");
		String head = keyHead(version);
		return (head != null) ? head.concat(key) : this.keyFunction.makeKey(key, this.keyPrefix, version);
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

	private String defaultKeyHead(int version) {
		// The same text as KeyFunction.DEFAULT, which stays the one definition of Django's format.
		return KeyFunction.DEFAULT.makeKey("", this.keyPrefix, version);
	}

	private static int keyBudget(String head) {
		return CacheKeys.isSafe(head, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)
				? CacheKeys.MEMCACHED_MAX_KEY_LENGTH - CacheKeys.utf8Length(head) : -1;
	}

	/**
	 * React to a made key that memcached would refuse: over 250 UTF-8 bytes, or with whitespace or control
	 * characters. Called before the key reaches the store. The default logs each problem at WARN on
	 * {@code io.cacheframework.core.CacheKeyWarning}, as Django's {@code CacheKeyWarning}; memcached overrides it to
	 * throw {@link InvalidCacheKeyException}.
	 * @param key the made key
	 */
	protected void invalidKey(String key) {
		for (String problem : keyProblems(key)) {
			keyWarnings.warn(problem);
		}
	}

	/**
	 * Whether a made key is acceptable to memcached: at most 250 UTF-8 bytes, no whitespace or control characters.
	 * @param key the made key
	 * @return whether the key is safe
	 */
	protected static boolean isMemcachedSafe(String key) {
		return CacheKeys.isSafe(key, CacheKeys.MEMCACHED_MAX_KEY_LENGTH);
	}

	/**
	 * Django's messages for each problem of a made key, length first.
	 * @param key the made key
	 * @return the problems (empty for a safe key)
	 */
	protected static List<String> keyProblems(String key) {
		List<String> problems = new ArrayList<>(2);
		if (CacheKeys.utf8Length(key) > CacheKeys.MEMCACHED_MAX_KEY_LENGTH) {
			problems.add("Cache key will cause errors if used with memcached: " + CacheKeys.repr(key) + " (longer than "
					+ CacheKeys.MEMCACHED_MAX_KEY_LENGTH + ")");
		}
		if (CacheKeys.hasUnsafeCharacters(key)) {
			problems.add("Cache key contains characters that will cause errors if used with memcached: "
					+ CacheKeys.repr(key));
		}
		return problems;
	}

	/**
	 * Validate the made key {@code keyHead + key} as every operation validates its key: {@link #invalidKey} if it is
	 * not memcached-safe. The key is built only if it is invalid.
	 * @param keyHead the made key's head, from {@link #keyHead(int)}
	 * @param key the caller's key
	 */
	protected final void checkKey(String keyHead, String key) {
		int budget = (keyHead == this.keyHead) ? this.keyBudget : keyBudget(keyHead);
		if (budget < 0 || !CacheKeys.isSafe(key, budget)) {
			rejectOrWarn(keyHead.concat(key));
		}
	}

	final String makeAndValidateKey(String key, int version) {
		String made = makeKey(key, version);
		if (!isMemcachedSafe(made)) {
			rejectOrWarn(made);
		}
		return made;
	}

	/**
	 * A made key failed the fast check: refuse it on every backend if no store can hold it, else leave it to
	 * {@link #invalidKey} (a warning, or memcached's exception).
	 */
	private void rejectOrWarn(String made) {
		int at = CacheKeys.loneSurrogateIndex(made);
		if (at >= 0) {
			// Not a warning as for memcached's rules: UTF-8 has no form for it, so every store would write '?' in
			// its place and this key would read and overwrite another key's entry.
			throw new InvalidCacheKeyException("Cache key contains a lone surrogate (U+"
					+ Integer.toHexString(made.charAt(at)).toUpperCase(Locale.ROOT) + " at index " + at
					+ ") that cannot be encoded as UTF-8, so it would share an entry with another key: "
					+ CacheKeys.repr(made));
		}
		invalidKey(made);
	}

	// ---------------------------------------------------------------- timeouts

	/**
	 * Resolve {@link Timeout#DEFAULT} to this cache's default timeout.
	 * @param timeout a timeout
	 * @return a concrete timeout
	 */
	protected final Timeout resolve(Timeout timeout) {
		return Objects.requireNonNull(timeout, "timeout must not be null").orDefault(this.settings.timeout());
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
	 * {@link Timeout#NEVER}: for a backend that reads its clock once per operation or keeps its own time.
	 * @param timeout a resolved timeout
	 * @param now the current time in epoch milliseconds
	 * @return the expiry
	 */
	protected final long expiresAt(Timeout timeout, long now) {
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
		// Saturate instead of overflowing for absurdly long timeouts.
		return (((now ^ result) & (millis ^ result)) < 0) ? Long.MAX_VALUE : result;
	}

	// ---------------------------------------------------------------- failures

	/**
	 * Count and log a failed store access: the first failure at once at WARN, then at most one line every 10
	 * seconds of the cache's clock, with the number of failures not logged since the previous line (all of them at
	 * DEBUG, with the stack trace).
	 * @param operation the operation, e.g. {@code "get"}
	 * @param ex the failure
	 */
	protected final void storeFailed(String operation, Exception ex) {
		this.statistics.recordError();
		long suppressed = this.errorLog.record(this.settings.clock().millis());
		if (suppressed >= 0) {
			this.logger.warn("Cache '" + alias() + "' (" + backendName() + ") " + operation
					+ " failed, continuing without the cache"
					+ ((suppressed > 0) ? " (" + suppressed + " similar failures not logged)" : "") + ": "
					+ ex.getMessage(), this.logger.isDebugEnabled() ? ex : null);
		}
		else if (this.logger.isDebugEnabled()) {
			this.logger.debug("Cache '" + alias() + "' " + operation + " failed", ex);
		}
	}

	/**
	 * Count and log a stored entry that could not be read back (corrupt, or refused by the serialization filter).
	 * The caller treats it as a miss and should remove the entry.
	 * @param key the made key
	 * @param ex the failure
	 */
	protected final void unreadableEntry(String key, Exception ex) {
		this.statistics.recordError();
		this.logger.warn("Cache '" + alias() + "' ignored an unreadable entry for key " + CacheKeys.repr(key) + ": "
				+ ex.getMessage());
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
			// Not a conditional expression: "cond ? Integer : Long" unboxes and promotes both to long, so it would
			// always return a Long.
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

	// ---------------------------------------------------------------- public API (default version)

	@Override
	public @Nullable Object get(String key) {
		return get(key, null, this.settings.version());
	}

	@Override
	public <T> @Nullable T get(String key, Class<T> type) {
		return checkType(key, get(key), type);
	}

	@Override
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		return get(key, defaultValue, this.settings.version());
	}

	@Override
	public void set(String key, @Nullable Object value) {
		set(key, value, Timeout.DEFAULT, this.settings.version());
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		set(key, value, timeout, this.settings.version());
	}

	@Override
	public boolean add(String key, @Nullable Object value) {
		return add(key, value, Timeout.DEFAULT, this.settings.version());
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return add(key, value, timeout, this.settings.version());
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier) {
		return getOrSet(key, supplier, Timeout.DEFAULT, this.settings.version());
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		return getOrSet(key, supplier, timeout, this.settings.version());
	}

	@Override
	public boolean touch(String key) {
		return touch(key, Timeout.DEFAULT, this.settings.version());
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
	public List<String> setMany(Map<String, ?> values) {
		return setMany(values, Timeout.DEFAULT, this.settings.version());
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
	public long incr(String key) {
		return incr(key, 1, this.settings.version());
	}

	@Override
	public long incr(String key, long delta) {
		return incr(key, delta, this.settings.version());
	}

	@Override
	public long decr(String key) {
		return incr(key, -1, this.settings.version());
	}

	@Override
	public long decr(String key, long delta) {
		return incr(key, -delta, this.settings.version());
	}

	@Override
	public int incrVersion(String key) {
		return incrVersion(key, 1, this.settings.version());
	}

	@Override
	public int incrVersion(String key, int delta) {
		return incrVersion(key, delta, this.settings.version());
	}

	@Override
	public int decrVersion(String key) {
		return incrVersion(key, -1, this.settings.version());
	}

	@Override
	public int decrVersion(String key, int delta) {
		return incrVersion(key, -delta, this.settings.version());
	}

	@Override
	public void clear() {
		long start = startTiming();
		try {
			doClear();
		}
		catch (CacheAccessException ex) {
			storeFailed("clear", ex);
		}
		finally {
			stopTiming(CacheOperation.CLEAR, start);
		}
	}

	@Override
	public CacheBackend withVersion(int version) {
		return new VersionedCacheBackend(this, version);
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

	// ---------------------------------------------------------------- versioned operations

	@SuppressWarnings("unchecked")
	final <T> @Nullable T get(String key, @Nullable T defaultValue, int version) {
		Objects.requireNonNull(key, "key must not be null");
		String head = keyHead(version);
		Object value;
		if (head != null) {
			// The read path of every get: the backend validates the key and looks it up by its parts.
			value = read(head, key, "get");
		}
		else {
			value = read(makeAndValidateKey(key, version), "get");
		}
		if (value == NOT_FOUND) {
			this.statistics.recordMisses(1);
			return defaultValue;
		}
		this.statistics.recordHits(1);
		return (T) value;
	}

	final void set(String key, @Nullable Object value, Timeout timeout, int version) {
		String made = makeAndValidateKey(key, version);
		Timeout resolved = resolve(timeout);
		long start = startTiming();
		try {
			doSet(made, value, resolved);
			this.statistics.recordSets(1);
		}
		catch (CacheAccessException ex) {
			storeFailed("set", ex);
		}
		finally {
			stopTiming(CacheOperation.SET, start);
		}
	}

	final boolean add(String key, @Nullable Object value, Timeout timeout, int version) {
		String made = makeAndValidateKey(key, version);
		return addMade(made, value, resolve(timeout));
	}

	private boolean addMade(String made, @Nullable Object value, Timeout resolved) {
		long start = startTiming();
		try {
			boolean added = doAdd(made, value, resolved);
			if (added) {
				this.statistics.recordSets(1);
			}
			return added;
		}
		catch (CacheAccessException ex) {
			storeFailed("add", ex);
			return false;
		}
		finally {
			stopTiming(CacheOperation.ADD, start);
		}
	}

	@SuppressWarnings("unchecked")
	final <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout,
			int version) {
		Objects.requireNonNull(supplier, "supplier must not be null");
		String made = makeAndValidateKey(key, version);
		Object value = read(made, "get");
		if (value != NOT_FOUND) {
			this.statistics.recordHits(1);
			return (T) value;
		}
		this.statistics.recordMisses(1);
		Timeout resolved = resolve(timeout);
		FlightKey flightKey = new FlightKey(storeIdentity(), made);
		Flight flight = new Flight();
		Flight leader = flights.putIfAbsent(flightKey, flight);
		if (leader == null) {
			return (T) fly(flightKey, flight, made, supplier, resolved);
		}
		if (leader.owner == Thread.currentThread()) {
			throw new IllegalStateException("getOrSet for key '" + key + "' called itself from its supplier");
		}
		Object result = leader.result.join();
		if (result instanceof Failure failure) {
			// Everyone waiting shares the leader's failure. Retrying in turn made each waiter the next leader, so N
			// callers of a failing supplier waited N supplier times. Callers that come later start a new flight.
			throw Failure.<RuntimeException>rethrow(failure.cause());
		}
		// Read back so that each caller gets its own copy where the backend copies values.
		Object stored = read(made, "get");
		return (T) ((stored != NOT_FOUND) ? stored : result);
	}

	private @Nullable Object fly(FlightKey flightKey, Flight flight, String made, Supplier<?> supplier,
			Timeout timeout) {
		Object result = null;
		try {
			// A previous flight may have stored the value between our miss and winning this one.
			Object value = read(made, "get");
			if (value == NOT_FOUND) {
				value = supplier.get();
				addMade(made, value, timeout);
				// Django: add() then get(key, default), so a lost race returns the winner's value.
				Object stored = read(made, "get");
				if (stored != NOT_FOUND) {
					value = stored;
				}
			}
			result = value;
			return value;
		}
		catch (Throwable ex) {
			result = new Failure(ex);
			throw ex;
		}
		finally {
			flights.remove(flightKey, flight);
			flight.result.complete(result);
		}
	}

	final boolean touch(String key, Timeout timeout, int version) {
		String made = makeAndValidateKey(key, version);
		long start = startTiming();
		try {
			return doTouch(made, resolve(timeout));
		}
		catch (CacheAccessException ex) {
			storeFailed("touch", ex);
			return false;
		}
		finally {
			stopTiming(CacheOperation.TOUCH, start);
		}
	}

	final boolean delete(String key, int version) {
		String made = makeAndValidateKey(key, version);
		long start = startTiming();
		try {
			boolean deleted = doDelete(made);
			if (deleted) {
				this.statistics.recordDeletes(1);
			}
			return deleted;
		}
		catch (CacheAccessException ex) {
			storeFailed("delete", ex);
			return false;
		}
		finally {
			stopTiming(CacheOperation.DELETE, start);
		}
	}

	final boolean hasKey(String key, int version) {
		String made = makeAndValidateKey(key, version);
		long start = startTiming();
		try {
			return doHasKey(made);
		}
		catch (CacheAccessException ex) {
			storeFailed("hasKey", ex);
			return false;
		}
		finally {
			stopTiming(CacheOperation.HAS_KEY, start);
		}
	}

	final Map<String, @Nullable Object> getMany(Collection<String> keys, int version) {
		String head = keyHead(version);
		boolean byParts = (head != null) && readsManyByKeyParts();
		// Each key the store reads, with the caller's key: the made keys, or the caller's own keys read by parts.
		Map<String, String> callerKeys = byParts ? distinctKeys(keys) : madeKeys(keys, version);
		if (callerKeys.isEmpty()) {
			return Collections.emptyMap();
		}
		Map<String, @Nullable Object> found;
		long start = startTiming();
		try {
			found = byParts ? readEach(head, callerKeys.keySet()) : doGetMany(new ArrayList<>(callerKeys.keySet()));
		}
		catch (CacheAccessException ex) {
			storeFailed("getMany", ex);
			found = Collections.emptyMap();
		}
		finally {
			stopTiming(CacheOperation.GET_MANY, start);
		}
		Map<String, @Nullable Object> result = byParts ? found : byCallerKey(found, callerKeys);
		this.statistics.recordHits(result.size());
		this.statistics.recordMisses(callerKeys.size() - result.size());
		return result;
	}

	final List<String> setMany(Map<String, ?> values, Timeout timeout, int version) {
		if (values.isEmpty()) {
			return new ArrayList<>();
		}
		Map<String, String> callerKeys = madeKeys(values.keySet(), version);
		Map<String, @Nullable Object> made = new LinkedHashMap<>();
		for (Map.Entry<String, String> entry : callerKeys.entrySet()) {
			made.put(entry.getKey(), values.get(entry.getValue()));
		}
		List<String> failedMade;
		long start = startTiming();
		try {
			failedMade = doSetMany(made, resolve(timeout));
		}
		catch (CacheAccessException ex) {
			storeFailed("setMany", ex);
			failedMade = new ArrayList<>(made.keySet());
		}
		finally {
			stopTiming(CacheOperation.SET_MANY, start);
		}
		List<String> failed = new ArrayList<>(failedMade.size());
		for (String key : failedMade) {
			failed.add(callerKeys.get(key));
		}
		this.statistics.recordSets(made.size() - failed.size());
		return failed;
	}

	final void deleteMany(Collection<String> keys, int version) {
		Map<String, String> callerKeys = madeKeys(keys, version);
		if (callerKeys.isEmpty()) {
			return;
		}
		long start = startTiming();
		try {
			doDeleteMany(new ArrayList<>(callerKeys.keySet()));
		}
		catch (CacheAccessException ex) {
			storeFailed("deleteMany", ex);
		}
		finally {
			stopTiming(CacheOperation.DELETE_MANY, start);
		}
	}

	final long incr(String key, long delta, int version) {
		String made = makeAndValidateKey(key, version);
		long start = startTiming();
		try {
			return doIncr(made, key, delta);
		}
		catch (CacheAccessException ex) {
			// An unreachable counter is a missing counter: the caller already handles that case.
			storeFailed("incr", ex);
			NoSuchElementException notFound = notFound(key);
			notFound.initCause(ex);
			throw notFound;
		}
		finally {
			stopTiming(CacheOperation.INCR, start);
		}
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

	private static Map<String, @Nullable Object> byCallerKey(Map<String, @Nullable Object> found,
			Map<String, String> callerKeys) {
		Map<String, @Nullable Object> result = new LinkedHashMap<>();
		for (Map.Entry<String, String> entry : callerKeys.entrySet()) {
			if (found.containsKey(entry.getKey())) {
				result.put(entry.getValue(), found.get(entry.getKey()));
			}
		}
		return result;
	}

	private static Map<String, String> distinctKeys(Collection<String> keys) {
		Map<String, String> distinct = new LinkedHashMap<>();
		for (String key : keys) {
			distinct.put(Objects.requireNonNull(key, "key must not be null"), key);
		}
		return distinct;
	}

	private Map<String, String> madeKeys(Collection<String> keys, int version) {
		Map<String, String> made = new LinkedHashMap<>();
		for (String key : keys) {
			made.put(makeAndValidateKey(key, version), key);
		}
		return made;
	}

	private @Nullable Object read(String made, String operation) {
		return read(null, made, operation);
	}

	/**
	 * Read a made, validated key ({@code uncheckedHead == null}) or an unvalidated key by its parts.
	 */
	private @Nullable Object read(@Nullable String uncheckedHead, String key, String operation) {
		long start = startTiming();
		try {
			return (uncheckedHead != null) ? doGet(uncheckedHead, key) : doGet(key);
		}
		catch (CacheAccessException ex) {
			storeFailed(operation, ex);
			return NOT_FOUND;
		}
		finally {
			stopTiming(CacheOperation.GET, start);
		}
	}

	static <T> @Nullable T checkType(String key, @Nullable Object value, Class<T> type) {
		if (value == null) {
			return null;
		}
		Class<?> boxed = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
		if (!boxed.isInstance(value)) {
			throw new IllegalStateException("Value of key '" + key + "' is a " + value.getClass().getName()
					+ ", not a " + type.getName());
		}
		@SuppressWarnings("unchecked")
		T result = (T) value;
		return result;
	}

	private record FlightKey(Object store, String key) {
	}

	/**
	 * A flight's outcome when its supplier (or storing its value) threw.
	 */
	private record Failure(Throwable cause) {

		@SuppressWarnings("unchecked")
		static <E extends Throwable> E rethrow(Throwable cause) throws E {
			// The very exception the leader got, checked ones included (a Supplier can only throw those sneakily).
			throw (E) cause;
		}

	}

	private static final class Flight {

		final Thread owner = Thread.currentThread();

		final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

	}

}
