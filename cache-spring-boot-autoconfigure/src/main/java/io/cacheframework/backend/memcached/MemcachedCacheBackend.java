package io.cacheframework.backend.memcached;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickleLimits;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;

/**
 * Django's memcached backends ({@code PyMemcacheCache}, {@code PyLibMCCache}): one or more memcached servers,
 * keys spread over them exactly as Django's client spreads them ({@code options.distribution}: pymemcache's
 * rendezvous hashing by default, libmemcached's Ketama or modula), values in Django's wire format.
 *
 * <p>{@code location} is {@code host:port} ({@code host} alone means port 11211, {@code [::1]:11211} for IPv6),
 * several of them separated by {@code ;} or {@code ,} (a YAML list arrives joined with {@code ,}), or
 * {@code unix:/path/to/memcached.sock}. TCP servers are reached through spymemcached; unix sockets through a small
 * text-protocol client of this package (spymemcached cannot reconnect a unix socket).
 *
 * <p>Behaviour:
 * <ul>
 * <li>keys are validated before any I/O: a made key over 250 UTF-8 bytes or with whitespace or control
 * characters throws {@link InvalidCacheKeyException} with Django's message;</li>
 * <li>{@code String}, {@code Integer}, {@code Long} and {@code byte[]} are stored as Django's clients store them
 * (flags 16, 2, 4, 0), so both sides read them and memcached's {@code incr}/{@code decr} work; other values go
 * through the {@link ValueSerializer} under a Java-only flag, or with {@code value-format: pickle} as a pickle
 * (flag 1) where Python has an equivalent;</li>
 * <li>what Django pickles (flag 1) is read as plain data through a restricted unpickler; a pickle naming any
 * other global (a model class, {@code os.system}) is a miss and a rate-limited warning naming the global, nothing
 * is constructed or run, and the entry is left for Django;</li>
 * <li>timeouts are converted as Django does: never → 0, zero → -1, over 30 days → an absolute Unix time;</li>
 * <li>a server that is down or hung makes its keys misses at once, never a wait of the operation timeout; with
 * several servers the others take its keys over (failure mode {@code redistribute}); it is logged once when it goes
 * down and once when it is back;</li>
 * <li>a host name that does not resolve does not stop the backend: it is left out and resolved again in the
 * background, and used once it resolves;</li>
 * <li>{@link #clear()} is {@code flush_all}: it empties the whole server, including other applications' keys, as
 * in Django.</li>
 * </ul>
 *
 * @since 0.1.0
 */
public class MemcachedCacheBackend extends AbstractCacheBackend implements CacheInspection {

	/** memcached's limit for relative expiry times; larger values are absolute Unix times. */
	static final long MAX_RELATIVE_EXPTIME = 30L * 24 * 60 * 60;

	/** Per-item bookkeeping memcached counts against {@code item_size_max} besides key and value. */
	private static final int ITEM_OVERHEAD = 64;

	private final MemcachedTransport transport;

	/** The transport's asynchronous calls, or {@code null} (unix sockets): then the bounded executor runs them. */
	private final @Nullable AsyncMemcachedTransport async;

	private final MemcachedFlags flags;

	private final long maxItemSize;

	/**
	 * Create a backend with default options and the default serializer.
	 * @param settings the settings; {@code location} names the servers
	 */
	public MemcachedCacheBackend(CacheSettings settings) {
		this(settings, new MemcachedOptions(), new DefaultValueSerializer());
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} names the servers
	 * @param options client settings
	 * @param serializer serializes values other than {@code String}, {@code Integer}, {@code Long} and
	 * {@code byte[]}
	 * @throws io.cacheframework.core.InvalidCacheOptionException if an option is invalid
	 * @throws IllegalArgumentException if the location is invalid
	 */
	public MemcachedCacheBackend(CacheSettings settings, MemcachedOptions options, ValueSerializer serializer) {
		super(settings);
		Objects.requireNonNull(options, "options must not be null");
		Objects.requireNonNull(serializer, "serializer must not be null");
		options.validate();
		this.flags = new MemcachedFlags(new ValueCodec(serializer, options.getValueFormat(), PickleLimits.defaults()),
				(int) Math.min(Integer.MAX_VALUE, options.getCompressionThreshold().toBytes()));
		MemcachedLocation location = MemcachedLocation.parse(settings.location());
		ServerLog serverLog = new ServerLog(this.logger, settings.alias(),
				options.getFailureMode() == MemcachedOptions.FailureMode.REDISTRIBUTE
						&& options.getDistribution() != MemcachedOptions.Distribution.MODULA
						&& location.servers().size() > 1);
		OutagePolicy policy = new OutagePolicy(options, serverLog);
		// A host that does not resolve yet is no reason to fail the application: the transport leaves it out and
		// resolves it again in the background.
		Function<List<? extends SocketAddress>, KeyPlacement> placements = (servers) -> placement(
				options.getDistribution(), location, servers);
		this.transport = location.unixSockets().isEmpty()
				? new SpyTransport(location.tcp(), options, policy, placements)
				: new UnixSocketTransport(location.unixSockets(), options, policy, placements);
		this.async = (this.transport instanceof AsyncMemcachedTransport answering) ? answering : null;
		long serverLimit = this.transport.itemSizeMax();
		this.maxItemSize = (serverLimit > 0) ? serverLimit : options.getMaxItemSize().toBytes();
	}

	/**
	 * Where keys go, for both transports, over the servers in use in {@code location} order: the
	 * {@code distribution}'s placement over the servers as written in {@code location}, because the Python clients
	 * hash the names as written ({@code host:port}, a bare host meaning port 11211), not resolved addresses. The one
	 * place a {@link KeyPlacement} is chosen. The TCP transport leaves out a host that does not resolve yet; the
	 * others then take its keys, as rendezvous and Ketama do once their client has ejected it (modula recomputes
	 * over the servers left until it resolves).
	 */
	static KeyPlacement placement(MemcachedOptions.Distribution distribution, MemcachedLocation location,
			List<? extends SocketAddress> servers) {
		Map<String, String> written = new HashMap<>();
		for (int i = 0; i < location.tcp().size(); i++) {
			written.put(SpyTransport.format(location.tcp().get(i)), location.servers().get(i));
		}
		List<String> names = new ArrayList<>(servers.size());
		for (SocketAddress server : servers) {
			if (server instanceof UnixDomainSocketAddress unix) {
				names.add(unix.getPath().toString());
			}
			else {
				String name = SpyTransport.format(server);
				names.add(written.getOrDefault(name, name));
			}
		}
		return KeyPlacement.of(distribution, names);
	}

	@Override
	public String backendName() {
		return "memcached";
	}

	/**
	 * Statistics and liveness of each server, in configuration order: for health checks and metrics. Statistics
	 * ({@code curr_items}, {@code bytes}, {@code evictions}, {@code get_hits}, {@code get_misses},
	 * {@code uptime}, ...) are read from live servers only, within the operation timeout.
	 * @return the status of each server by address ({@code host:port} or the unix socket path)
	 */
	public Map<String, ServerStatus> servers() {
		return this.transport.servers();
	}

	/**
	 * The server a key is stored on while all servers are up.
	 * @param madeKey a made key
	 * @return the server address
	 */
	String serverFor(String madeKey) {
		return this.transport.serverFor(madeKey);
	}

	/**
	 * memcached refuses such keys (and a space or newline would let a key inject commands), so unlike the other
	 * backends this one throws, as Django's memcached backends do, before any I/O.
	 */
	@Override
	protected boolean rejectsInvalidKeys() {
		return true;
	}

	/**
	 * Django's {@code get_backend_timeout} for memcached: never → 0, anything under one second (also zero) → -1
	 * (expired), negative → as is, over 30 days → absolute Unix time by the cache's clock.
	 * @param timeout a resolved timeout
	 * @return memcached's exptime
	 */
	int exptime(Timeout timeout) {
		if (timeout.isNever()) {
			return 0;
		}
		Duration duration = timeout.toDuration();
		long seconds = duration.getSeconds();
		if (seconds < 0 && duration.getNano() > 0) {
			// Python's int() truncates towards zero.
			seconds++;
		}
		if (seconds == 0) {
			return -1;
		}
		if (seconds > MAX_RELATIVE_EXPTIME) {
			seconds += Math.floorDiv(settings().clock().millis(), 1000);
		}
		return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, seconds));
	}

	/**
	 * An item's value, or {@link #NOT_FOUND} if it cannot be read (logged, rate-limited, through the monitor). An
	 * unreadable entry of ours is deleted so that it is not read again; a pickle is left alone, because Django may
	 * still read it (a refused global such as a model instance is Django's own data).
	 */
	private @Nullable Object read(String key, MemcachedItem item) {
		return read(key, item, this::deleteQuietly);
	}

	/**
	 * {@link #read(String, MemcachedItem)} with the deletion given: the asynchronous reads delete without waiting.
	 */
	private @Nullable Object read(String key, MemcachedItem item, Consumer<String> delete) {
		try {
			return this.flags.decode(item);
		}
		catch (UnreadableValueException ex) {
			unreadableEntry(key, ex);
			if (!MemcachedFlags.isPickle(item)) {
				delete.accept(key);
			}
			return NOT_FOUND;
		}
	}

	private boolean tooLarge(String key, MemcachedItem item) {
		return (long) item.data().length + key.getBytes(StandardCharsets.UTF_8).length
				+ ITEM_OVERHEAD > this.maxItemSize;
	}

	private void deleteQuietly(String key) {
		try {
			this.transport.delete(key);
		}
		catch (CacheAccessException ex) {
			// Best effort: the entry is unreadable or stale either way.
		}
	}

	@Override
	protected @Nullable Object doGet(String key) {
		MemcachedItem item = this.transport.get(key);
		if (item == null) {
			return NOT_FOUND;
		}
		return read(key, item);
	}

	@Override
	protected Map<String, @Nullable Object> doGetMany(List<MadeKey> madeKeys) {
		List<String> keys = madeKeys.stream().map(MadeKey::made).toList();
		return values(keys, this.transport.getMany(keys, (ex) -> storeFailed("getMany", ex)), this::deleteQuietly);
	}

	/**
	 * The readable values of a bulk read's items, in the keys' order: an unreadable one is left out, and deleted
	 * ({@code delete}) unless it is a pickle, as {@link #read(String, MemcachedItem, Consumer)} does.
	 */
	private Map<String, @Nullable Object> values(List<String> keys, Map<String, MemcachedItem> found,
			Consumer<String> delete) {
		Map<String, @Nullable Object> result = new LinkedHashMap<>();
		for (String key : keys) {
			MemcachedItem item = found.get(key);
			if (item != null) {
				Object value = read(key, item, delete);
				if (value != NOT_FOUND) {
					result.put(key, value);
				}
			}
		}
		return result;
	}

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		stored(key, this.transport.store(false, key, exptime(timeout), fitting(key, value, this::deleteQuietly)));
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		return this.transport.store(true, key, exptime(timeout), fitting(key, value, null));
	}

	/**
	 * A value as an item that fits the server's item size. One that does not is refused; for a {@code set} its key's
	 * old value is deleted first ({@code deleteOld}), as Django with python-memcached: the key must not keep it.
	 */
	private MemcachedItem fitting(String key, @Nullable Object value, @Nullable Consumer<String> deleteOld) {
		MemcachedItem item = this.flags.encode(value);
		if (tooLarge(key, item)) {
			if (deleteOld != null) {
				deleteOld.accept(key);
			}
			throw new CacheAccessException("value of " + item.data().length + " bytes for key '" + key
					+ "' is larger than memcached's item size (" + this.maxItemSize + " bytes)"
					+ ((deleteOld != null) ? "; old value deleted" : ""));
		}
		return item;
	}

	private static @Nullable Void stored(String key, boolean stored) {
		if (!stored) {
			throw new CacheAccessException("memcached did not store key '" + key + "'");
		}
		return null;
	}

	@Override
	protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		Map<String, MemcachedItem> items = items(values, failed);
		if (!items.isEmpty()) {
			notStored(items, this.transport.storeMany(items, exptime(timeout)), failed);
		}
		return failed;
	}

	/**
	 * Each value as a memcached item; one that cannot be stored (not serializable, or too large, whose old value is
	 * then deleted) is logged and its key added to {@code failed}, as Django's {@code set_many} leaves it out.
	 */
	private Map<String, MemcachedItem> items(Map<String, @Nullable Object> values, List<String> failed) {
		Map<String, MemcachedItem> items = new LinkedHashMap<>();
		for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
			try {
				MemcachedItem item = this.flags.encode(entry.getValue());
				if (tooLarge(entry.getKey(), item)) {
					deleteQuietly(entry.getKey());
					this.logger.warn("Cache '" + alias() + "' could not store key '" + entry.getKey() + "': value of "
							+ item.data().length + " bytes is larger than memcached's item size");
					failed.add(entry.getKey());
				}
				else {
					items.put(entry.getKey(), item);
				}
			}
			catch (ValueNotStorableException ex) {
				this.logger.warn("Cache '" + alias() + "' could not store key '" + entry.getKey() + "': "
						+ ex.getMessage());
				failed.add(entry.getKey());
			}
		}
		return items;
	}

	private List<String> notStored(Map<String, MemcachedItem> items, List<String> notStored, List<String> failed) {
		if (!notStored.isEmpty()) {
			storeFailed("setMany", new CacheAccessException(notStored.size() + " of " + items.size()
					+ " keys were not stored"));
		}
		failed.addAll(notStored);
		return failed;
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		return this.transport.touch(key, exptime(timeout));
	}

	@Override
	protected boolean doDelete(String key) {
		return this.transport.delete(key);
	}

	@Override
	protected void doDeleteMany(List<String> keys) {
		this.transport.deleteMany(keys);
	}

	/**
	 * memcached's atomic {@code incr}/{@code decr}: the stored flags (and so the Java type) and the expiry are
	 * kept, {@code decr} stops at 0, and a missing key is Django's {@code ValueError}, naming the made key.
	 */
	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		// Checked first because memcached answers CLIENT_ERROR for a non-number, and spymemcached then drops and
		// reopens the connection; the increment itself stays atomic on the server.
		checkCounter(key, this.transport.get(key));
		return incremented(key, this.transport.incr(key, delta));
	}

	private static void checkCounter(String key, @Nullable MemcachedItem current) {
		if (current == null) {
			throw new NoSuchElementException("Key '" + key + "' not found");
		}
		if (!MemcachedFlags.isCounter(current)) {
			throw new IllegalStateException("Value of key '" + key + "' is not an integer memcached can increment");
		}
	}

	private static long incremented(String key, @Nullable Long result) {
		if (result == null) {
			throw new NoSuchElementException("Key '" + key + "' not found");
		}
		return result;
	}

	@Override
	protected void doClear() {
		this.transport.flush();
	}

	// ---------------------------------------------------------------- asynchronous primitives

	// Over spymemcached's futures (AsyncMemcachedTransport): the same steps as the blocking primitives, with no
	// thread waiting for an answer. The unix-socket transport has no futures of its own: its calls run on the bounded
	// executor (the defaults of AbstractCacheBackend).

	@Override
	protected CompletableFuture<@Nullable Object> doGetAsync(String key) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doGetAsync(key);
		}
		return async.getAsync(key)
			.thenApply((item) -> (item != null) ? read(key, item, async::deleteAsync) : NOT_FOUND);
	}

	@Override
	protected CompletableFuture<@Nullable Object> doGetAsync(String keyHead, String key) {
		return (this.async != null) ? doGetAsync(keyHead.concat(key)) : super.doGetAsync(keyHead, key);
	}

	@Override
	protected CompletableFuture<Map<String, @Nullable Object>> doGetManyAsync(List<MadeKey> madeKeys) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doGetManyAsync(madeKeys);
		}
		List<String> keys = madeKeys.stream().map(MadeKey::made).toList();
		return async.getManyAsync(keys, (ex) -> storeFailed("getMany", ex))
			.thenApply((found) -> values(keys, found, async::deleteAsync));
	}

	@Override
	protected CompletableFuture<@Nullable Void> doSetAsync(String key, @Nullable Object value, Timeout timeout) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doSetAsync(key, value, timeout);
		}
		return async.storeAsync(false, key, exptime(timeout), fitting(key, value, async::deleteAsync))
			.thenApply((stored) -> stored(key, stored));
	}

	@Override
	protected CompletableFuture<Boolean> doAddAsync(String key, @Nullable Object value, Timeout timeout) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doAddAsync(key, value, timeout);
		}
		return async.storeAsync(true, key, exptime(timeout), fitting(key, value, null));
	}

	@Override
	protected CompletableFuture<List<String>> doSetManyAsync(Map<String, @Nullable Object> values, Timeout timeout) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doSetManyAsync(values, timeout);
		}
		List<String> failed = new ArrayList<>();
		Map<String, MemcachedItem> items = items(values, failed);
		if (items.isEmpty()) {
			return CompletableFuture.completedFuture(failed);
		}
		return async.storeManyAsync(items, exptime(timeout))
			.thenApply((notStored) -> notStored(items, notStored, failed));
	}

	@Override
	protected CompletableFuture<Boolean> doTouchAsync(String key, Timeout timeout) {
		return (this.async != null) ? this.async.touchAsync(key, exptime(timeout)) : super.doTouchAsync(key, timeout);
	}

	@Override
	protected CompletableFuture<Boolean> doDeleteAsync(String key) {
		return (this.async != null) ? this.async.deleteAsync(key) : super.doDeleteAsync(key);
	}

	@Override
	protected CompletableFuture<@Nullable Void> doDeleteManyAsync(List<String> keys) {
		return (this.async != null) ? this.async.deleteManyAsync(keys) : super.doDeleteManyAsync(keys);
	}

	@Override
	protected CompletableFuture<Long> doIncrAsync(String key, String rawKey, long delta) {
		AsyncMemcachedTransport async = this.async;
		if (async == null) {
			return super.doIncrAsync(key, rawKey, delta);
		}
		// As doIncr: the stored item is checked first, then memcached's atomic incr/decr.
		return async.getAsync(key).thenCompose((current) -> {
			checkCounter(key, current);
			return async.incrAsync(key, delta);
		}).thenApply((result) -> incremented(key, result));
	}

	@Override
	protected CompletableFuture<@Nullable Void> doClearAsync() {
		return (this.async != null) ? this.async.flushAsync() : super.doClearAsync();
	}

	@Override
	protected void doClose() {
		this.transport.close();
	}

	/**
	 * One server's liveness and statistics.
	 * @param address {@code host:port} or the unix socket path
	 * @param alive whether the server is connected and answering
	 * @param stats the server's {@code stats} (empty when it is not alive)
	 */
	public record ServerStatus(String address, boolean alive, Map<String, String> stats) {

		/**
		 * A numeric statistic, e.g. {@code curr_items}, {@code bytes}, {@code evictions}, {@code get_hits},
		 * {@code get_misses}, {@code uptime}.
		 * @param name the statistic
		 * @return its value, or {@code -1} if the server did not report it
		 */
		public long stat(String name) {
			String value = this.stats.get(name);
			if (value == null) {
				return -1;
			}
			try {
				return Long.parseLong(value.trim());
			}
			catch (NumberFormatException ex) {
				return -1;
			}
		}

	}


	// ---------------------------------------------------------------- inspection (Actuator)

	/**
	 * Django's {@code stats cachedump}: {@code lru_crawler metadump all} on each live server in turn (on a connection
	 * of its own), until {@code limit} keys; sizes are the stored value lengths ({@code mg <key> s}), never values. A
	 * server that cannot be asked is skipped.
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		List<KeyInfo> keys = new ArrayList<>();
		for (ServerStatus server : servers().values()) {
			if (keys.size() >= limit) {
				break;
			}
			SocketAddress address = server.alive() ? this.transport.socketAddress(server.address()) : null;
			if (address != null) {
				try {
					keys.addAll(MemcachedKeyDump.dump(address, server.address(), limit - keys.size()));
				}
				catch (CacheAccessException ex) {
					this.logger.debug("Key listing of memcached " + server.address() + " failed", ex);
				}
			}
		}
		return keys;
	}

	/**
	 * The sum of {@code curr_items} over the live servers (every key on them, other applications' included).
	 */
	@Override
	public @Nullable Long entryCount() {
		return sumOfLiveServers("curr_items");
	}

	/**
	 * The sum of {@code bytes} over the live servers.
	 */
	@Override
	public @Nullable Long byteCount() {
		return sumOfLiveServers("bytes");
	}

	/**
	 * {@code servers}: each server's liveness and its own {@code stats} (curr_items, bytes, evictions, get_hits,
	 * get_misses, uptime, ...).
	 */
	@Override
	public Map<String, Object> inspectionDetails() {
		Map<String, Object> servers = new LinkedHashMap<>();
		for (ServerStatus server : servers().values()) {
			Map<String, Object> stats = new LinkedHashMap<>();
			stats.put("alive", server.alive());
			for (String name : List.of("curr_items", "bytes", "evictions", "get_hits", "get_misses",
					"curr_connections", "limit_maxbytes", "uptime")) {
				long value = server.stat(name);
				if (value >= 0) {
					stats.put(name, value);
				}
			}
			if (server.stats().containsKey("version")) {
				stats.put("version", server.stats().get("version"));
			}
			servers.put(server.address(), stats);
		}
		return Map.of("servers", servers);
	}

	/**
	 * One component per server: up when connected and answering {@code stats}.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		List<ComponentHealth> health = new ArrayList<>();
		for (ServerStatus server : servers().values()) {
			if (server.alive()) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("uptime", server.stat("uptime"));
				details.put("curr_items", server.stat("curr_items"));
				health.add(ComponentHealth.up(server.address(), details));
			}
			else {
				health.add(ComponentHealth.down(server.address(), "not connected or not answering"));
			}
		}
		return health;
	}

	private @Nullable Long sumOfLiveServers(String statistic) {
		long sum = 0;
		boolean any = false;
		for (ServerStatus server : servers().values()) {
			long value = server.alive() ? server.stat(statistic) : -1;
			if (value >= 0) {
				sum += value;
				any = true;
			}
		}
		return any ? sum : null;
	}

}
