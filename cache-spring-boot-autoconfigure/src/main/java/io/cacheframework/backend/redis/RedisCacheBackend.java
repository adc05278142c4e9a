package io.cacheframework.backend.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheKeys;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickleLimits;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueSerializer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code RedisCache} (Django 4.0+) on Lettuce: one Redis server, a primary with replicas, or a Redis
 * Cluster, sharing keys, values and counters with a Django application.
 *
 * <p>{@code location} is {@code redis://[user:password@]host:port/db}, {@code rediss://...} (TLS) or
 * {@code redis-socket:///path/to/redis.sock}, or several of them separated by {@code ;} or {@code ,}: as in Django,
 * the first is the primary and takes every write, reads go to a random one of the others. With
 * {@link RedisOptions#isCluster() cluster} the location lists seed nodes of a Redis Cluster.
 *
 * <p>Behaviour (Django's, and better where noted):
 * <ul>
 * <li>values in Django's {@code RedisSerializer} format ({@link RedisWireFormat}): an {@code Integer} is decimal
 * text, other values are pickles Django reads, a Java-only value is a pickle Django reads as {@code bytes};</li>
 * <li>timeouts as Django's {@code get_backend_timeout}: never → no expiry, otherwise whole seconds, and zero or less
 * deletes the key;</li>
 * <li>{@code incr}/{@code decr} in one atomic server-side step that keeps the expiry; a missing key is a
 * {@link java.util.NoSuchElementException} and is never created (Django: two round trips);</li>
 * <li>{@code add} is {@code SET NX}; {@code getMany} is one {@code MGET} (one per hash slot on a cluster);
 * {@code setMany} sends one {@code SET ... EX} per key without waiting in between (Django: {@code MSET} and one
 * {@code EXPIRE} per key, leaving keys without expiry for a moment);</li>
 * <li>{@code clear()} is {@code FLUSHDB} as in Django when no key prefix is set; with a key prefix it deletes only
 * the keys that start with {@code <key-prefix>:} ({@code SCAN} + {@code UNLINK}), never other applications' keys;</li>
 * <li>keys that memcached would refuse are logged, never refused; there is no culling (Redis evicts by its own
 * {@code maxmemory-policy});</li>
 * <li>an outage is a miss at once: commands are rejected, not queued, while a connection is down; the cache starts
 * while Redis is down and connects when it is up; a server that stops answering is avoided for
 * {@code reconnect-delay}; a replica that is down is left out of reads; a value that cannot be read (another
 * application's object, a hostile pickle, a value over 64 MB) is a miss, and is left in place for its owner.</li>
 * </ul>
 *
 * @since 0.1.0
 */
public class RedisCacheBackend extends AbstractCacheBackend implements CacheInspection {

	/** Redis refuses expiries whose milliseconds overflow; a million years is forever enough. */
	private static final long MAX_SECONDS = 31_536_000_000_000_000L / 1000;

	/** Keys asked for per {@code SCAN} page when clearing a key prefix. */
	private static final int CLEAR_SCAN_COUNT = 1000;

	private final RedisWireFormat wire;

	private final ClientResources resources;

	private final RedisServers servers;

	private final BoundedCalls calls;

	private final RedisInspection inspection;

	private final ServerLog log;

	/** {@code SCAN MATCH} pattern of this cache's keys for {@link #clear()}, or {@code null}: flush the database. */
	private final byte @Nullable [] clearPattern;

	/**
	 * Create a backend with default options and the default serializer.
	 * @param settings the settings; {@code location} names the servers
	 */
	public RedisCacheBackend(CacheSettings settings) {
		this(settings, new RedisOptions(), new DefaultValueSerializer());
	}

	/**
	 * Create a backend. Connections are made in the background; this waits at most the connect timeout for them, and
	 * never fails because a server is down.
	 * @param settings the settings; {@code location} names the servers
	 * @param options client settings
	 * @param serializer serializes Java-only values
	 * @throws io.cacheframework.core.InvalidCacheOptionException if an option has a value the backend cannot use
	 * @throws IllegalArgumentException if the location is invalid
	 */
	public RedisCacheBackend(CacheSettings settings, RedisOptions options, ValueSerializer serializer) {
		super(settings);
		Objects.requireNonNull(options, "options must not be null");
		Objects.requireNonNull(serializer, "serializer must not be null");
		options.validate();
		List<RedisURI> uris = RedisLocation.parse(settings.location(), options);
		this.wire = new RedisWireFormat(new ValueCodec(serializer, options.getValueFormat(), PickleLimits.defaults()));
		this.clearPattern = settings.keyPrefix().isEmpty() ? null
				: (glob(settings.keyPrefix()) + ":*").getBytes(StandardCharsets.UTF_8);
		this.log = new ServerLog(this.logger, settings.alias());
		this.resources = LettuceSettings.resources(options);
		this.calls = new BoundedCalls(options.getOperationTimeout(), this.resources.eventExecutorGroup());
		try {
			this.servers = options.isCluster() ? new ClusterServers(uris, options, this.resources, this.log)
					: new StandaloneServers(uris, options, this.resources, this.log);
		}
		catch (RuntimeException ex) {
			this.resources.shutdown(0, 2, TimeUnit.SECONDS);
			throw ex;
		}
		this.inspection = new RedisInspection(this.servers, this.calls, Clock.systemUTC());
	}

	@Override
	public String backendName() {
		return "redis";
	}

	// ---------------------------------------------------------------- primitives (Django's RedisCacheClient)

	@Override
	protected @Nullable Object doGet(String key) {
		byte[] redisKey = bytes(key);
		byte[] data = this.calls.call(this.servers.read(redisKey), (commands) -> commands.get(redisKey));
		return (data != null) ? decode(key, data) : NOT_FOUND;
	}

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		byte[] data = this.wire.encode(value);
		byte[] redisKey = bytes(key);
		long seconds = seconds(timeout);
		Target target = this.servers.write(redisKey);
		if (seconds == 0) {
			// Django: a timeout of zero or less deletes the key.
			this.calls.call(target, (commands) -> commands.del(redisKey));
		}
		else if (seconds < 0) {
			this.calls.call(target, (commands) -> commands.set(redisKey, data));
		}
		else {
			this.calls.call(target, (commands) -> commands.set(redisKey, data, SetArgs.Builder.ex(seconds)));
		}
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		byte[] data = this.wire.encode(value);
		byte[] redisKey = bytes(key);
		long seconds = seconds(timeout);
		Target target = this.servers.write(redisKey);
		SetArgs args = (seconds > 0) ? SetArgs.Builder.nx().ex(seconds) : SetArgs.Builder.nx();
		boolean added = "OK".equals(this.calls.call(target, (commands) -> commands.set(redisKey, data, args)));
		if (added && seconds == 0) {
			// Django: SET NX, then delete what it stored; the answer is whether it could be added.
			this.calls.call(target, (commands) -> commands.del(redisKey));
		}
		return added;
	}

	/**
	 * {@code EXPIRE} (zero deletes the key), or for {@link Timeout#NEVER} {@code PERSIST}; the answer is whether the
	 * key exists (Django answers {@code PERSIST}'s, false for a key that already had no expiry).
	 */
	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		byte[] redisKey = bytes(key);
		Target target = this.servers.write(redisKey);
		if (timeout.isNever()) {
			RedisFuture<Boolean> persisted = this.calls.send(target, (commands) -> commands.persist(redisKey));
			RedisFuture<Long> exists = this.calls.send(target, (commands) -> commands.exists(redisKey));
			long deadline = this.calls.deadline();
			this.calls.await(target, persisted, deadline);
			return this.calls.await(target, exists, deadline) > 0;
		}
		long seconds = seconds(timeout);
		return Boolean.TRUE.equals(this.calls.call(target, (commands) -> commands.expire(redisKey, seconds)));
	}

	@Override
	protected boolean doDelete(String key) {
		byte[] redisKey = bytes(key);
		return this.calls.call(this.servers.write(redisKey), (commands) -> commands.del(redisKey)) > 0;
	}

	@Override
	protected boolean doHasKey(String key) {
		byte[] redisKey = bytes(key);
		return this.calls.call(this.servers.read(redisKey), (commands) -> commands.exists(redisKey)) > 0;
	}

	/**
	 * One {@code MGET} (one per hash slot on a cluster, all sent before any answer is awaited); the values are put
	 * back in the caller's order. On a cluster, a node that does not answer costs only its own keys.
	 */
	@Override
	protected Map<String, @Nullable Object> doGetMany(List<MadeKey> madeKeys) {
		List<byte[]> keys = bytes(madeKeys.stream().map(MadeKey::made).toList());
		List<RedisServers.Batch> batches = this.servers.batches(keys, false);
		List<@Nullable RedisFuture<List<KeyValue<byte[], byte[]>>>> futures = new ArrayList<>(batches.size());
		Failures failures = new Failures(batches.size());
		for (RedisServers.Batch batch : batches) {
			byte[][] batchKeys = select(keys, batch.positions());
			try {
				futures.add(this.calls.send(batch.target(), (commands) -> commands.mget(batchKeys)));
			}
			catch (CacheAccessException ex) {
				futures.add(null);
				failures.add(ex);
			}
		}
		long deadline = this.calls.deadline();
		Map<String, @Nullable Object> result = new LinkedHashMap<>();
		for (int i = 0; i < batches.size(); i++) {
			RedisFuture<List<KeyValue<byte[], byte[]>>> future = futures.get(i);
			if (future == null) {
				continue;
			}
			RedisServers.Batch batch = batches.get(i);
			try {
				decodeBatch(madeKeys, batch.positions(), this.calls.await(batch.target(), future, deadline), result);
			}
			catch (CacheAccessException ex) {
				failures.add(ex);
			}
		}
		failures.report("getMany");
		// By made key: the cache puts the hits in the caller's order.
		return result;
	}

	/**
	 * Put the readable values of one {@code MGET} batch's answer into {@code result} by made key (a stored
	 * {@code None} as {@code null}); an unreadable value is left out.
	 */
	private void decodeBatch(List<MadeKey> madeKeys, int[] positions, List<KeyValue<byte[], byte[]>> found,
			Map<String, @Nullable Object> result) {
		for (int j = 0; j < positions.length && j < found.size(); j++) {
			if (found.get(j).hasValue()) {
				String made = madeKeys.get(positions[j]).made();
				Object decoded = decode(made, found.get(j).getValue());
				if (decoded != NOT_FOUND) {
					result.put(made, decoded);
				}
			}
		}
	}

	/**
	 * One {@code SET ... EX} per key, all sent before any answer is awaited (pipelined), so that every key gets its
	 * value and its expiry in one step; a timeout of zero or less deletes the keys, as Django's {@code EXPIRE 0} does.
	 */
	@Override
	protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		Map<String, byte[]> encoded = encodeAll(values, failed);
		if (encoded.isEmpty()) {
			return failed;
		}
		long seconds = seconds(timeout);
		if (seconds == 0) {
			doDeleteMany(new ArrayList<>(encoded.keySet()));
			return failed;
		}
		List<String> keys = new ArrayList<>(encoded.size());
		List<Target> targets = new ArrayList<>(encoded.size());
		List<@Nullable RedisFuture<String>> futures = new ArrayList<>(encoded.size());
		Failures failures = new Failures(encoded.size());
		encoded.forEach((key, data) -> {
			byte[] redisKey = bytes(key);
			Target target = this.servers.write(redisKey);
			keys.add(key);
			targets.add(target);
			try {
				futures.add(this.calls.send(target, (commands) -> (seconds < 0) ? commands.set(redisKey, data)
						: commands.set(redisKey, data, SetArgs.Builder.ex(seconds))));
			}
			catch (CacheAccessException ex) {
				futures.add(null);
				failures.add(ex);
				failed.add(key);
			}
		});
		long deadline = this.calls.deadline();
		for (int i = 0; i < keys.size(); i++) {
			RedisFuture<String> future = futures.get(i);
			if (future != null) {
				try {
					this.calls.await(targets.get(i), future, deadline);
				}
				catch (CacheAccessException ex) {
					failures.add(ex);
					failed.add(keys.get(i));
				}
			}
		}
		failures.report("setMany");
		return failed;
	}

	@Override
	protected void doDeleteMany(List<String> madeKeys) {
		List<byte[]> keys = bytes(madeKeys);
		List<RedisServers.Batch> batches = this.servers.batches(keys, true);
		List<@Nullable RedisFuture<Long>> futures = new ArrayList<>(batches.size());
		Failures failures = new Failures(batches.size());
		for (RedisServers.Batch batch : batches) {
			byte[][] batchKeys = select(keys, batch.positions());
			try {
				futures.add(this.calls.send(batch.target(), (commands) -> commands.del(batchKeys)));
			}
			catch (CacheAccessException ex) {
				futures.add(null);
				failures.add(ex);
			}
		}
		long deadline = this.calls.deadline();
		for (int i = 0; i < batches.size(); i++) {
			RedisFuture<Long> future = futures.get(i);
			if (future != null) {
				try {
					this.calls.await(batches.get(i).target(), future, deadline);
				}
				catch (CacheAccessException ex) {
					failures.add(ex);
				}
			}
		}
		failures.report("deleteMany");
	}

	/**
	 * The counter script ({@link IncrScript}): atomic, keeps the expiry and the stored form (decimal text stays
	 * decimal text, a Java {@code Long} stays a {@code Long}), and never creates a missing key.
	 */
	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		byte[] redisKey = bytes(key);
		byte[][] keys = { redisKey };
		byte[][] arguments = IncrScript.arguments(delta);
		Target target = this.servers.write(redisKey);
		byte[] reply;
		try {
			try {
				reply = this.calls.call(target, (commands) -> commands.<byte[]>evalsha(IncrScript.SHA1,
						ScriptOutputType.VALUE, keys, arguments));
			}
			catch (ServerReplyException ex) {
				if (!(ex.getCause() instanceof RedisNoScriptException)) {
					throw ex;
				}
				// The server has not seen the script yet (or restarted): send it once.
				reply = this.calls.call(target, (commands) -> commands.<byte[]>eval(IncrScript.SCRIPT,
						ScriptOutputType.VALUE, keys, arguments));
			}
		}
		catch (ServerReplyException ex) {
			if (ex.reply().startsWith("OVERFLOW") || ex.reply().startsWith("NOTINTEGER")) {
				throw IncrScript.refused(key, ex.reply());
			}
			throw ex;
		}
		return IncrScript.result(key, reply);
	}

	@Override
	protected void doClear() {
		Target whole = this.servers.whole();
		byte[] pattern = this.clearPattern;
		if (pattern == null) {
			// Django: FLUSHDB, the whole database (every master of a cluster), other applications' keys too.
			this.calls.call(whole, (commands) -> commands.flushdb());
			return;
		}
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(CLEAR_SCAN_COUNT);
		ScanCursor cursor = ScanCursor.INITIAL;
		while (true) {
			ScanCursor from = cursor;
			KeyScanCursor<byte[]> page = this.calls.call(whole, (commands) -> commands.scan(from, args));
			if (!page.getKeys().isEmpty()) {
				List<byte[]> keys = page.getKeys();
				for (RedisServers.Batch batch : this.servers.batches(keys, true)) {
					byte[][] batchKeys = select(keys, batch.positions());
					this.calls.call(batch.target(), (commands) -> commands.unlink(batchKeys));
				}
			}
			if (page.isFinished()) {
				return;
			}
			cursor = page;
		}
	}

	@Override
	protected void doClose() {
		this.log.close();
		try {
			this.servers.close();
		}
		finally {
			try {
				this.resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				this.logger.debug("Cache '" + alias() + "': Lettuce did not shut down cleanly", ex);
			}
		}
	}

	// ---------------------------------------------------------------- asynchronous primitives (no thread waits)

	// The same commands as the blocking primitives, with the answers taken by Lettuce's I/O threads: no thread is
	// parked per call. A failure completes the future with BoundedCalls' CacheAccessException, which the cache turns
	// into a miss or a failed write as it does for the blocking call; a caller's mistake (a value that cannot be
	// stored) is thrown before anything is sent, as the blocking call throws it.

	@Override
	protected CompletableFuture<@Nullable Object> doGetAsync(String key) {
		byte[] redisKey = bytes(key);
		return this.calls.callAsync(this.servers.read(redisKey), (commands) -> commands.get(redisKey))
			.thenApply((data) -> (data != null) ? decode(key, data) : NOT_FOUND);
	}

	@Override
	protected CompletableFuture<@Nullable Object> doGetAsync(String keyHead, String key) {
		return doGetAsync(keyHead.concat(key));
	}

	@Override
	protected CompletableFuture<@Nullable Void> doSetAsync(String key, @Nullable Object value, Timeout timeout) {
		byte[] data = this.wire.encode(value);
		byte[] redisKey = bytes(key);
		long seconds = seconds(timeout);
		Target target = this.servers.write(redisKey);
		CompletableFuture<?> sent;
		if (seconds == 0) {
			sent = this.calls.callAsync(target, (commands) -> commands.del(redisKey));
		}
		else if (seconds < 0) {
			sent = this.calls.callAsync(target, (commands) -> commands.set(redisKey, data));
		}
		else {
			sent = this.calls.callAsync(target, (commands) -> commands.set(redisKey, data, SetArgs.Builder.ex(seconds)));
		}
		return sent.thenApply((reply) -> null);
	}

	@Override
	protected CompletableFuture<Boolean> doAddAsync(String key, @Nullable Object value, Timeout timeout) {
		byte[] data = this.wire.encode(value);
		byte[] redisKey = bytes(key);
		long seconds = seconds(timeout);
		Target target = this.servers.write(redisKey);
		SetArgs args = (seconds > 0) ? SetArgs.Builder.nx().ex(seconds) : SetArgs.Builder.nx();
		return this.calls.callAsync(target, (commands) -> commands.set(redisKey, data, args)).thenCompose((reply) -> {
			boolean added = "OK".equals(reply);
			if (added && seconds == 0) {
				return this.calls.callAsync(target, (commands) -> commands.del(redisKey)).thenApply((deleted) -> true);
			}
			return CompletableFuture.completedFuture(added);
		});
	}

	@Override
	protected CompletableFuture<Boolean> doTouchAsync(String key, Timeout timeout) {
		byte[] redisKey = bytes(key);
		Target target = this.servers.write(redisKey);
		if (timeout.isNever()) {
			CompletableFuture<Boolean> persisted = this.calls.callAsync(target, (commands) -> commands.persist(redisKey));
			CompletableFuture<Long> exists = this.calls.callAsync(target, (commands) -> commands.exists(redisKey));
			return persisted.thenCombine(exists, (persist, count) -> count > 0);
		}
		long seconds = seconds(timeout);
		return this.calls.callAsync(target, (commands) -> commands.expire(redisKey, seconds))
			.thenApply(Boolean.TRUE::equals);
	}

	@Override
	protected CompletableFuture<Boolean> doDeleteAsync(String key) {
		byte[] redisKey = bytes(key);
		return this.calls.callAsync(this.servers.write(redisKey), (commands) -> commands.del(redisKey))
			.thenApply((count) -> count > 0);
	}

	@Override
	protected CompletableFuture<Boolean> doHasKeyAsync(String key) {
		byte[] redisKey = bytes(key);
		return this.calls.callAsync(this.servers.read(redisKey), (commands) -> commands.exists(redisKey))
			.thenApply((count) -> count > 0);
	}

	@Override
	protected CompletableFuture<Map<String, @Nullable Object>> doGetManyAsync(List<MadeKey> madeKeys) {
		List<byte[]> keys = bytes(madeKeys.stream().map(MadeKey::made).toList());
		List<RedisServers.Batch> batches = this.servers.batches(keys, false);
		List<CompletableFuture<List<KeyValue<byte[], byte[]>>>> parts = new ArrayList<>(batches.size());
		for (RedisServers.Batch batch : batches) {
			byte[][] batchKeys = select(keys, batch.positions());
			parts.add(this.calls.callAsync(batch.target(), (commands) -> commands.mget(batchKeys)));
		}
		return settled(parts, "getMany").thenApply((done) -> {
			Map<String, @Nullable Object> result = new LinkedHashMap<>();
			for (int i = 0; i < batches.size(); i++) {
				if (parts.get(i).isCompletedExceptionally()) {
					continue;
				}
				decodeBatch(madeKeys, batches.get(i).positions(), parts.get(i).join(), result);
			}
			// By made key: the cache puts the hits in the caller's order.
			return result;
		});
	}

	@Override
	protected CompletableFuture<List<String>> doSetManyAsync(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		Map<String, byte[]> encoded = encodeAll(values, failed);
		if (encoded.isEmpty()) {
			return CompletableFuture.completedFuture(failed);
		}
		long seconds = seconds(timeout);
		if (seconds == 0) {
			return doDeleteManyAsync(new ArrayList<>(encoded.keySet())).thenApply((done) -> failed);
		}
		List<String> keys = new ArrayList<>(encoded.keySet());
		List<CompletableFuture<String>> parts = new ArrayList<>(keys.size());
		encoded.forEach((key, data) -> {
			byte[] redisKey = bytes(key);
			parts.add(this.calls.callAsync(this.servers.write(redisKey), (commands) -> (seconds < 0)
					? commands.set(redisKey, data) : commands.set(redisKey, data, SetArgs.Builder.ex(seconds))));
		});
		return settled(parts, "setMany").thenApply((done) -> {
			for (int i = 0; i < keys.size(); i++) {
				if (parts.get(i).isCompletedExceptionally()) {
					failed.add(keys.get(i));
				}
			}
			return failed;
		});
	}

	@Override
	protected CompletableFuture<@Nullable Void> doDeleteManyAsync(List<String> madeKeys) {
		List<byte[]> keys = bytes(madeKeys);
		List<CompletableFuture<Long>> parts = new ArrayList<>();
		for (RedisServers.Batch batch : this.servers.batches(keys, true)) {
			byte[][] batchKeys = select(keys, batch.positions());
			parts.add(this.calls.callAsync(batch.target(), (commands) -> commands.del(batchKeys)));
		}
		return settled(parts, "deleteMany").thenApply((done) -> null);
	}

	@Override
	protected CompletableFuture<Long> doIncrAsync(String key, String rawKey, long delta) {
		byte[] redisKey = bytes(key);
		byte[][] keys = { redisKey };
		byte[][] arguments = IncrScript.arguments(delta);
		Target target = this.servers.write(redisKey);
		return this.calls
			.<byte[]>callAsync(target,
					(commands) -> commands.<byte[]>evalsha(IncrScript.SHA1, ScriptOutputType.VALUE, keys, arguments))
			.exceptionallyCompose((failure) -> {
				if (BoundedCalls.cause(failure) instanceof ServerReplyException ex
						&& ex.getCause() instanceof RedisNoScriptException) {
					// The server has not seen the script yet (or restarted): send it once.
					return this.calls.callAsync(target, (commands) -> commands.<byte[]>eval(IncrScript.SCRIPT,
							ScriptOutputType.VALUE, keys, arguments));
				}
				return CompletableFuture.failedFuture(BoundedCalls.cause(failure));
			})
			.handle((reply, failure) -> {
				if (failure == null) {
					return IncrScript.result(key, reply);
				}
				Throwable cause = BoundedCalls.cause(failure);
				if (cause instanceof ServerReplyException ex
						&& (ex.reply().startsWith("OVERFLOW") || ex.reply().startsWith("NOTINTEGER"))) {
					throw IncrScript.refused(key, ex.reply());
				}
				throw (cause instanceof RuntimeException runtime) ? runtime : new CompletionException(cause);
			});
	}

	@Override
	protected CompletableFuture<@Nullable Void> doClearAsync() {
		Target whole = this.servers.whole();
		byte[] pattern = this.clearPattern;
		if (pattern == null) {
			return this.calls.callAsync(whole, (commands) -> commands.flushdb()).thenApply((reply) -> null);
		}
		return clearFrom(whole, ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(CLEAR_SCAN_COUNT));
	}

	/**
	 * One {@code SCAN} page of {@link #doClearAsync()} and its {@code UNLINK}s, then the next page.
	 */
	private CompletableFuture<@Nullable Void> clearFrom(Target whole, ScanCursor cursor, ScanArgs args) {
		return this.calls.callAsync(whole, (commands) -> commands.scan(cursor, args)).thenCompose((page) -> {
			List<byte[]> keys = page.getKeys();
			List<CompletableFuture<Long>> unlinks = new ArrayList<>();
			if (!keys.isEmpty()) {
				for (RedisServers.Batch batch : this.servers.batches(keys, true)) {
					byte[][] batchKeys = select(keys, batch.positions());
					unlinks.add(this.calls.callAsync(batch.target(), (commands) -> commands.unlink(batchKeys)));
				}
			}
			return CompletableFuture.allOf(unlinks.toArray(CompletableFuture[]::new))
				.thenCompose((done) -> page.isFinished() ? CompletableFuture.<@Nullable Void>completedFuture(null)
						: clearFrom(whole, page, args));
		});
	}

	/**
	 * Completes when every part of a multi-part call has: as the blocking {@link Failures}, if every part failed
	 * the call failed, and if some did each is counted and logged and the call goes on with the others.
	 */
	private CompletableFuture<@Nullable Void> settled(List<? extends CompletableFuture<?>> parts, String operation) {
		CompletableFuture<?>[] outcomes = parts.stream()
			.map((part) -> part.handle((value, failure) -> null))
			.toArray(CompletableFuture[]::new);
		return CompletableFuture.allOf(outcomes).thenApply((done) -> {
			Failures failures = new Failures(parts.size());
			for (CompletableFuture<?> part : parts) {
				if (part.isCompletedExceptionally()) {
					try {
						part.join();
					}
					catch (CompletionException ex) {
						if (!(BoundedCalls.cause(ex) instanceof CacheAccessException failure)) {
							throw ex;
						}
						failures.add(failure);
					}
				}
			}
			failures.report(operation);
			return null;
		});
	}

	// ---------------------------------------------------------------- values and timeouts

	/**
	 * Each value in Redis's form; a value that cannot be stored is logged and its key added to {@code failed}, as
	 * Django's {@code set_many} leaves it out rather than failing the others.
	 */
	private Map<String, byte[]> encodeAll(Map<String, @Nullable Object> values, List<String> failed) {
		Map<String, byte[]> encoded = new LinkedHashMap<>();
		for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
			try {
				encoded.put(entry.getKey(), this.wire.encode(entry.getValue()));
			}
			catch (ValueNotStorableException ex) {
				this.logger.warn("Cache '" + alias() + "' could not store key " + CacheKeys.repr(entry.getKey())
						+ ": " + ex.getMessage());
				failed.add(entry.getKey());
			}
		}
		return encoded;
	}

	private @Nullable Object decode(String key, byte[] data) {
		try {
			return this.wire.decode(data);
		}
		catch (UnreadableValueException ex) {
			// A miss. Left in place: it may be another application's value (a Django model instance) that Django reads.
			unreadableEntry(key, ex);
			return NOT_FOUND;
		}
	}

	/**
	 * Django's {@code RedisCache.get_backend_timeout}: never → -1 (no expiry), otherwise
	 * {@code max(0, int(seconds))}, 0 meaning "delete".
	 * @param timeout a resolved timeout
	 * @return seconds for {@code EX}, 0 to delete, -1 for no expiry
	 */
	static long seconds(Timeout timeout) {
		if (timeout.isNever()) {
			return -1;
		}
		Duration duration = timeout.toDuration();
		long seconds = duration.getSeconds();
		if (seconds < 0 && duration.getNano() > 0) {
			// Python's int() truncates towards zero.
			seconds++;
		}
		return Math.min(Math.max(0, seconds), MAX_SECONDS);
	}

	private static byte[] bytes(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

	private static List<byte[]> bytes(List<String> keys) {
		List<byte[]> bytes = new ArrayList<>(keys.size());
		for (String key : keys) {
			bytes.add(bytes(key));
		}
		return bytes;
	}

	private static byte[][] select(List<byte[]> keys, int[] positions) {
		byte[][] selected = new byte[positions.length][];
		for (int i = 0; i < positions.length; i++) {
			selected[i] = keys.get(positions[i]);
		}
		return selected;
	}

	/**
	 * Redis glob special characters escaped, so that a key prefix matches only itself.
	 */
	static String glob(String text) {
		StringBuilder escaped = new StringBuilder(text.length() + 4);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	/**
	 * The failed parts of a multi-part call: if every part failed, the call failed (one failure for the guarded call
	 * to count); if some did, each is counted and logged here and the call goes on with the others.
	 */
	private final class Failures {

		private final int parts;

		private final List<CacheAccessException> failures = new ArrayList<>();

		Failures(int parts) {
			this.parts = parts;
		}

		void add(CacheAccessException ex) {
			this.failures.add(ex);
		}

		void report(String operation) {
			if (this.failures.isEmpty()) {
				return;
			}
			if (this.failures.size() >= this.parts) {
				throw this.failures.get(0);
			}
			for (CacheAccessException ex : this.failures) {
				storeFailed(operation, ex);
			}
		}

	}

	// ---------------------------------------------------------------- inspection (Actuator)

	/**
	 * Keys by {@code SCAN} (never {@code KEYS}), on the primary or every master of a cluster, with their size
	 * ({@code STRLEN}) and expiry ({@code PTTL}); every key of the database, other applications' included.
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		return this.inspection.keys(limit);
	}

	/**
	 * {@code DBSIZE}: the keys of the database (summed over the masters of a cluster), other applications' included.
	 */
	@Override
	public @Nullable Long entryCount() {
		return this.inspection.entryCount();
	}

	/**
	 * {@code servers}: each server's configured role, whether it is connected or avoided, and figures from its
	 * {@code INFO} (version, role, memory, clients, hits and misses, evictions, keys).
	 */
	@Override
	public Map<String, Object> inspectionDetails() {
		return this.inspection.details();
	}

	/**
	 * One component per server: up when it answers {@code ROLE} within the operation timeout, with its role.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		return this.inspection.health();
	}

}
