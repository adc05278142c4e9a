package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.CacheAccessException;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.StatsOperation;
import net.spy.memcached.transcoders.Transcoder;
import org.jspecify.annotations.Nullable;

/**
 * TCP servers through spymemcached, with what it lacks for a cache in a request path:
 * <ul>
 * <li>Ketama consistent hashing, set explicitly (its default, {@code NATIVE_HASH} modulo, moves almost every key
 * when a server is added or lost);</li>
 * <li>fail-fast: a call for a key whose server is down (and, in redistribute mode, with no live server to take
 * over) is refused at once instead of waiting out the operation timeout in spymemcached's queue;</li>
 * <li>a per-server breaker: after {@code timeoutThreshold} timeouts in a row a hung server (SIGSTOP, blackholed
 * network) is avoided for {@code reconnectDelay}, and spymemcached reopens its connection after the same count
 * instead of its default 998.</li>
 * </ul>
 */
final class SpyTransport implements MemcachedTransport {

	static {
		// spymemcached logs to stderr through its own logger unless told otherwise.
		if (System.getProperty("net.spy.log.LoggerImpl") == null && isPresent("org.slf4j.Logger")) {
			System.setProperty("net.spy.log.LoggerImpl", "net.spy.memcached.compat.log.SLF4JLogger");
		}
	}

	private final List<InetSocketAddress> addresses;

	private final ConnectionFactory connectionFactory;

	private final MemcachedClient[] clients;

	private final AtomicInteger next = new AtomicInteger();

	private final long timeoutMillis;

	private final boolean redistribute;

	private final int threshold;

	private final long avoidMillis;

	private final Map<SocketAddress, Breaker> breakers = new ConcurrentHashMap<>();

	private final boolean flushAfterOutage;

	private final Set<SocketAddress> lost = ConcurrentHashMap.newKeySet();

	SpyTransport(List<InetSocketAddress> addresses, MemcachedOptions options, Transcoder<Object> transcoder) {
		this.addresses = List.copyOf(addresses);
		this.timeoutMillis = Math.max(1, options.getOperationTimeout().toMillis());
		this.redistribute = options.getFailureMode() == MemcachedOptions.FailureMode.REDISTRIBUTE;
		this.threshold = Math.max(1, options.getTimeoutThreshold());
		this.avoidMillis = Math.max(100, options.getReconnectDelay().toMillis());
		this.flushAfterOutage = options.isFlushAfterOutage();
		this.connectionFactory = new ConnectionFactoryBuilder()
			.setProtocol((options.getProtocol() == MemcachedOptions.Protocol.BINARY)
					? ConnectionFactoryBuilder.Protocol.BINARY : ConnectionFactoryBuilder.Protocol.TEXT)
			.setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
			// CONSISTENT alone still hashes with NATIVE_HASH: Ketama needs its hash set too.
			.setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
			.setFailureMode(switch (options.getFailureMode()) {
				case REDISTRIBUTE -> FailureMode.Redistribute;
				case CANCEL -> FailureMode.Cancel;
				case RETRY -> FailureMode.Retry;
			})
			.setOpTimeout(this.timeoutMillis)
			.setTimeoutExceptionThreshold(Math.max(2, this.threshold))
			.setMaxReconnectDelay(Math.max(1, options.getReconnectDelay().toSeconds()))
			// A full queue means a server in trouble: fail the call instead of blocking the caller for 10 s.
			.setOpQueueMaxBlockTime(Math.min(50, this.timeoutMillis))
			.setDaemon(true)
			.setUseNagleAlgorithm(false)
			.setTranscoder(transcoder)
			.build();
		int count = Math.max(1, options.getConnections());
		this.clients = new MemcachedClient[count];
		try {
			for (int i = 0; i < count; i++) {
				this.clients[i] = new MemcachedClient(this.connectionFactory, this.addresses);
				if (this.flushAfterOutage) {
					this.clients[i].addObserver(new FlushAfterOutage(this.clients[i]));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			close();
			throw new IllegalArgumentException("Cannot create a memcached client for " + this.addresses + ": " + ex,
					ex);
		}
		awaitConnected(this.timeoutMillis);
	}

	/**
	 * Give the non-blocking connects a moment so that the first calls after startup are not refused as "down";
	 * servers still down after it are retried in the background.
	 */
	private void awaitConnected(long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (System.nanoTime() < deadline) {
			boolean all = true;
			for (MemcachedClient client : this.clients) {
				for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
					// A refused connect has already been queued for a retry (the count starts at 1): no point waiting.
					all &= node.isActive() || node.getReconnectCount() > 1;
				}
			}
			if (all) {
				return;
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private MemcachedClient client() {
		MemcachedClient[] clients = this.clients;
		return (clients.length == 1) ? clients[0] : clients[Math.floorMod(this.next.getAndIncrement(), clients.length)];
	}

	/**
	 * The server spymemcached will send a key to, or a {@link CacheAccessException} at once if that server is down
	 * or hung: the same choice as {@code MemcachedConnection.addOperation}, minus the waiting.
	 */
	private MemcachedNode target(MemcachedClient client, String key) {
		// The live locator: getNodeLocator() copies the whole Ketama ring on every call.
		NodeLocator locator = client.getConnection().getLocator();
		MemcachedNode primary = locator.getPrimary(key);
		MemcachedNode chosen = null;
		if (primary.isActive()) {
			chosen = primary;
		}
		else if (this.redistribute) {
			Iterator<MemcachedNode> sequence = locator.getSequence(key);
			while (chosen == null && sequence.hasNext()) {
				MemcachedNode candidate = sequence.next();
				if (candidate.isActive()) {
					chosen = candidate;
				}
			}
		}
		if (chosen == null) {
			throw new CacheAccessException("memcached server " + format(primary.getSocketAddress()) + " is down");
		}
		Breaker breaker = breaker(chosen.getSocketAddress());
		if (breaker.isOpen()) {
			throw new CacheAccessException("memcached server " + format(chosen.getSocketAddress())
					+ " is not answering (" + breaker.timeouts.get() + " timeouts in a row)");
		}
		if (this.flushAfterOutage && breaker.openUntil != 0) {
			// It was hung and kept its memory: empty it before anything is read from it again.
			breaker.flushBeforeUse(client, chosen);
		}
		return chosen;
	}

	private Breaker breaker(SocketAddress address) {
		return this.breakers.computeIfAbsent(address, (key) -> new Breaker());
	}

	private <T> T call(String operation, String key, CallBody<T> body) {
		MemcachedClient client = client();
		MemcachedNode node = target(client, key);
		Future<T> future;
		try {
			future = body.start(client);
		}
		catch (RuntimeException ex) {
			throw new CacheAccessException(operation + " failed on memcached server "
					+ format(node.getSocketAddress()) + ": " + ex.getMessage(), ex);
		}
		return await(operation, node, future, this.timeoutMillis);
	}

	private <T> T await(String operation, MemcachedNode node, Future<T> future, long millis) {
		Breaker breaker = breaker(node.getSocketAddress());
		try {
			T result = future.get(millis, TimeUnit.MILLISECONDS);
			breaker.success();
			return result;
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			breaker.timeout();
			throw new CacheAccessException(operation + " timed out after " + millis + " ms on memcached server "
					+ format(node.getSocketAddress()), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CacheAccessException(operation + " interrupted", ex);
		}
		catch (ExecutionException | RuntimeException ex) {
			Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
			throw new CacheAccessException(operation + " failed on memcached server "
					+ format(node.getSocketAddress()) + ": " + cause.getMessage(), cause);
		}
	}

	@Override
	public @Nullable CachedData get(String key) {
		return call("get", key, (client) -> client.asyncGet(key, RawTranscoder.INSTANCE));
	}

	@Override
	public Map<String, CachedData> getMany(List<String> keys) {
		MemcachedClient client = client();
		List<String> live = new ArrayList<>(keys.size());
		for (String key : keys) {
			try {
				target(client, key);
				live.add(key);
			}
			catch (CacheAccessException ex) {
				// Its server is down: a miss, the other keys still count.
			}
		}
		if (live.isEmpty()) {
			if (!keys.isEmpty()) {
				throw new CacheAccessException("memcached servers of all " + keys.size() + " keys are down");
			}
			return Collections.emptyMap();
		}
		try {
			// getSome: what arrived within the timeout; getBulk would throw all away for one slow server.
			Map<String, CachedData> found = client.asyncGetBulk(live, RawTranscoder.INSTANCE)
				.getSome(this.timeoutMillis, TimeUnit.MILLISECONDS);
			return (found != null) ? found : Collections.emptyMap();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CacheAccessException("getMany interrupted", ex);
		}
		catch (ExecutionException | RuntimeException ex) {
			throw new CacheAccessException("getMany failed: " + ex.getMessage(), ex);
		}
	}

	@Override
	public boolean store(boolean add, String key, int exptime, CachedData data) {
		Boolean stored = call(add ? "add" : "set", key, (client) -> add
				? client.add(key, exptime, data, RawTranscoder.INSTANCE)
				: client.set(key, exptime, data, RawTranscoder.INSTANCE));
		return Boolean.TRUE.equals(stored);
	}

	@Override
	public List<String> storeMany(Map<String, CachedData> items, int exptime) {
		MemcachedClient client = client();
		List<String> failed = new ArrayList<>();
		Map<String, Future<Boolean>> futures = new LinkedHashMap<>();
		Map<String, MemcachedNode> nodes = new LinkedHashMap<>();
		for (Map.Entry<String, CachedData> item : items.entrySet()) {
			try {
				nodes.put(item.getKey(), target(client, item.getKey()));
				futures.put(item.getKey(), client.set(item.getKey(), exptime, item.getValue(), RawTranscoder.INSTANCE));
			}
			catch (RuntimeException ex) {
				failed.add(item.getKey());
			}
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
		for (Map.Entry<String, Future<Boolean>> entry : futures.entrySet()) {
			long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
			try {
				if (!Boolean.TRUE.equals(await("set", nodes.get(entry.getKey()), entry.getValue(), remaining))) {
					failed.add(entry.getKey());
				}
			}
			catch (CacheAccessException ex) {
				failed.add(entry.getKey());
			}
		}
		return failed;
	}

	@Override
	public boolean touch(String key, int exptime) {
		return Boolean.TRUE.equals(call("touch", key, (client) -> client.touch(key, exptime)));
	}

	@Override
	public boolean delete(String key) {
		return Boolean.TRUE.equals(call("delete", key, (client) -> client.delete(key)));
	}

	@Override
	public void deleteMany(List<String> keys) {
		MemcachedClient client = client();
		Map<String, Future<Boolean>> futures = new LinkedHashMap<>();
		Map<String, MemcachedNode> nodes = new LinkedHashMap<>();
		int unreachable = 0;
		for (String key : keys) {
			try {
				nodes.put(key, target(client, key));
				futures.put(key, client.delete(key));
			}
			catch (RuntimeException ex) {
				unreachable++;
			}
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
		for (Map.Entry<String, Future<Boolean>> entry : futures.entrySet()) {
			long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
			try {
				await("delete", nodes.get(entry.getKey()), entry.getValue(), remaining);
			}
			catch (CacheAccessException ex) {
				unreachable++;
			}
		}
		if (unreachable > 0) {
			throw new CacheAccessException("deleteMany: " + unreachable + " of " + keys.size()
					+ " keys could not be deleted");
		}
	}

	@Override
	public @Nullable Long incr(String key, long delta) {
		Long result = call((delta >= 0) ? "incr" : "decr", key,
				(client) -> (delta >= 0) ? client.asyncIncr(key, delta) : client.asyncDecr(key, -delta));
		return (result == null || result == -1) ? null : result;
	}

	@Override
	public void flush() {
		MemcachedClient client = client();
		Boolean flushed;
		try {
			flushed = client.flush().get(this.timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CacheAccessException("flush_all interrupted", ex);
		}
		catch (TimeoutException | ExecutionException | RuntimeException ex) {
			throw new CacheAccessException("flush_all failed: " + ex, ex);
		}
		if (!Boolean.TRUE.equals(flushed)) {
			throw new CacheAccessException("flush_all failed on at least one memcached server");
		}
	}

	@Override
	public long itemSizeMax() {
		long smallest = -1;
		for (Map<String, String> stats : stats("settings").values()) {
			String value = stats.get("item_size_max");
			if (value != null) {
				try {
					long size = Long.parseLong(value.trim());
					smallest = (smallest < 0) ? size : Math.min(smallest, size);
				}
				catch (NumberFormatException ex) {
					// Not a number: keep the configured limit.
				}
			}
		}
		return smallest;
	}

	/**
	 * {@code stats <arg>} from the live servers only (spymemcached's getStats waits out the timeout for a dead one).
	 */
	private Map<SocketAddress, Map<String, String>> stats(@Nullable String arg) {
		MemcachedClient client = client();
		List<MemcachedNode> live = new ArrayList<>();
		for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
			if (node.isActive() && !breaker(node.getSocketAddress()).isOpen()) {
				live.add(node);
			}
		}
		Map<SocketAddress, Map<String, String>> result = new ConcurrentHashMap<>();
		if (live.isEmpty()) {
			return result;
		}
		try {
			CountDownLatch latch = client.broadcastOp((node, done) -> {
				SocketAddress address = node.getSocketAddress();
				Map<String, String> values = new ConcurrentHashMap<>();
				result.put(address, values);
				return this.connectionFactory.getOperationFactory().stats(arg, new StatsOperation.Callback() {

					@Override
					public void gotStat(String name, String value) {
						values.put(name, value);
					}

					@Override
					public void receivedStatus(OperationStatus status) {
					}

					@Override
					public void complete() {
						done.countDown();
					}

				});
			}, live);
			latch.await(this.timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			// Statistics are best effort.
		}
		return result;
	}

	@Override
	public Map<String, MemcachedCacheBackend.ServerStatus> servers() {
		Map<SocketAddress, Map<String, String>> stats = stats(null);
		Map<String, MemcachedCacheBackend.ServerStatus> servers = new LinkedHashMap<>();
		for (InetSocketAddress address : this.addresses) {
			boolean active = false;
			for (MemcachedClient client : this.clients) {
				for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
					if (node.getSocketAddress().equals(address) && node.isActive()) {
						active = true;
					}
				}
			}
			Breaker breaker = this.breakers.get(address);
			boolean alive = active && (breaker == null || !breaker.isOpen());
			Map<String, String> values = stats.getOrDefault(address, Map.of());
			servers.put(format(address), new MemcachedCacheBackend.ServerStatus(format(address), alive,
					alive ? Map.copyOf(new LinkedHashMap<>(values)) : Map.of()));
		}
		return servers;
	}

	@Override
	public String serverFor(String key) {
		return format(this.clients[0].getConnection().getLocator().getPrimary(key).getSocketAddress());
	}

	@Override
	public void close() {
		for (MemcachedClient client : this.clients) {
			if (client != null) {
				try {
					// No call is ever left in flight (every call waits for its result), so nothing is lost by not
					// draining the queues, which would wait out the timeout for a dead server.
					client.shutdown();
					// And wait for the I/O thread to end, so that closing a context leaves no thread behind.
					client.getConnection().join(1000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (RuntimeException ex) {
					// Closing anyway.
				}
			}
		}
	}

	static String format(SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			return inet.getHostString() + ":" + inet.getPort();
		}
		return String.valueOf(address);
	}

	private static boolean isPresent(String className) {
		try {
			Class.forName(className, false, SpyTransport.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	/** Enqueue {@code flush_all} for one server of a client. */
	private Future<Boolean> flushServer(MemcachedClient client, SocketAddress address) {
		java.util.concurrent.CompletableFuture<Boolean> result = new java.util.concurrent.CompletableFuture<>();
		for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
			if (node.getSocketAddress().equals(address)) {
				client.broadcastOp((target, latch) -> this.connectionFactory.getOperationFactory()
					.flush(0, new net.spy.memcached.ops.OperationCallback() {

						@Override
						public void receivedStatus(OperationStatus status) {
							result.complete(status.isSuccess());
						}

						@Override
						public void complete() {
							result.complete(false);
							latch.countDown();
						}

					}), List.of(node));
				return result;
			}
		}
		result.complete(false);
		return result;
	}

	/**
	 * Flushes a server whose connection spymemcached reopens after losing it (a partition keeps its memory).
	 */
	private final class FlushAfterOutage implements net.spy.memcached.ConnectionObserver {

		private final MemcachedClient client;

		FlushAfterOutage(MemcachedClient client) {
			this.client = client;
		}

		@Override
		public void connectionEstablished(SocketAddress address, int reconnectCount) {
			if (SpyTransport.this.lost.remove(address)) {
				flushServer(this.client, address);
			}
		}

		@Override
		public void connectionLost(SocketAddress address) {
			SpyTransport.this.lost.add(address);
		}

	}

	@FunctionalInterface
	private interface CallBody<T> {

		Future<T> start(MemcachedClient client);

	}

	/**
	 * Consecutive timeouts of one server. Open (calls refused) once the threshold is reached, for the avoid time;
	 * then calls go through again and the first success closes it, the first timeout opens it again.
	 */
	private final class Breaker {

		final AtomicInteger timeouts = new AtomicInteger();

		final java.util.concurrent.atomic.AtomicBoolean flushing = new java.util.concurrent.atomic.AtomicBoolean();

		volatile long openUntil;

		boolean isOpen() {
			return this.openUntil != 0 && System.nanoTime() - this.openUntil < 0;
		}

		void success() {
			if (this.timeouts.get() != 0) {
				this.timeouts.set(0);
			}
		}

		/** One caller flushes the recovered server, waiting; the others are refused until it has. */
		void flushBeforeUse(MemcachedClient client, MemcachedNode node) {
			if (!this.flushing.compareAndSet(false, true)) {
				throw new CacheAccessException("memcached server " + format(node.getSocketAddress())
						+ " is being flushed after an outage");
			}
			try {
				Boolean flushed = flushServer(client, node.getSocketAddress()).get(SpyTransport.this.timeoutMillis,
						TimeUnit.MILLISECONDS);
				if (!Boolean.TRUE.equals(flushed)) {
					throw new CacheAccessException("flush_all after an outage failed on memcached server "
							+ format(node.getSocketAddress()));
				}
				this.timeouts.set(0);
				this.openUntil = 0;
			}
			catch (TimeoutException ex) {
				timeout();
				throw new CacheAccessException("memcached server " + format(node.getSocketAddress())
						+ " is still not answering", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new CacheAccessException("interrupted", ex);
			}
			catch (ExecutionException ex) {
				throw new CacheAccessException("flush_all after an outage failed: " + ex.getMessage(), ex);
			}
			finally {
				this.flushing.set(false);
			}
		}

		void timeout() {
			if (this.timeouts.incrementAndGet() >= SpyTransport.this.threshold) {
				long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SpyTransport.this.avoidMillis);
				this.openUntil = (until == 0) ? 1 : until;
			}
		}

	}

}
