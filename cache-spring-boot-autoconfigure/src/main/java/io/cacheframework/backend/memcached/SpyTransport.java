package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cacheframework.core.CacheAccessException;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.ops.OperationCallback;
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
 * instead of its default 998;</li>
 * <li>host names that cannot be resolved at startup are resolved again in the background, and the clients rebuilt
 * with them once they resolve (spymemcached resolves once, and cannot even start with an unresolved address);</li>
 * <li>one log line when a server goes down and one when it is back ({@link ServerLog}), instead of spymemcached's
 * lines for every reconnect attempt ({@link SpyLogging}).</li>
 * </ul>
 */
final class SpyTransport implements MemcachedTransport {

	static {
		SpyLogging.install();
	}

	/** The servers as configured, in order; some may be unresolved. */
	private final List<InetSocketAddress> configured;

	private final MemcachedOptions options;

	private final Transcoder<Object> transcoder;

	private final long timeoutMillis;

	private final boolean redistribute;

	private final int threshold;

	private final long avoidMillis;

	private final Map<SocketAddress, Breaker> breakers = new ConcurrentHashMap<>();

	private final boolean flushAfterOutage;

	private final Set<SocketAddress> lost = ConcurrentHashMap.newKeySet();

	private final ServerLog serverLog;

	private final AtomicInteger next = new AtomicInteger();

	private final Object lock = new Object();

	/** Resolves the hosts that did not resolve at startup; {@code null} if all did. */
	private final @Nullable ScheduledExecutorService resolver;

	/** Clients replaced after a host resolved, closed once the calls in flight on them are over. */
	private final List<Clients> retiring = Collections.synchronizedList(new ArrayList<>());

	private volatile Clients current;

	private volatile boolean closed;

	SpyTransport(List<InetSocketAddress> addresses, MemcachedOptions options, Transcoder<Object> transcoder,
			ServerLog serverLog) {
		this.configured = List.copyOf(addresses);
		this.options = options;
		this.transcoder = transcoder;
		this.timeoutMillis = Math.max(1, options.getOperationTimeout().toMillis());
		this.redistribute = options.getFailureMode() == MemcachedOptions.FailureMode.REDISTRIBUTE;
		this.threshold = Math.max(1, options.getTimeoutThreshold());
		this.avoidMillis = Math.max(100, options.getReconnectDelay().toMillis());
		this.flushAfterOutage = options.isFlushAfterOutage();
		this.serverLog = serverLog;
		Map<String, InetSocketAddress> resolved = new LinkedHashMap<>();
		List<String> unresolved = new ArrayList<>();
		for (InetSocketAddress address : this.configured) {
			if (address.isUnresolved()) {
				unresolved.add(format(address));
			}
			else {
				resolved.put(format(address), address);
			}
		}
		try {
			this.current = createClients(resolved);
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalArgumentException("Cannot create a memcached client for " + this.configured + ": " + ex,
					ex);
		}
		awaitConnected(this.current, this.timeoutMillis);
		logUnconnected(this.current);
		if (unresolved.isEmpty()) {
			this.resolver = null;
		}
		else {
			// One bad name must not take the cache (or the application) down: the others serve its keys meanwhile.
			serverLog.unresolvable(unresolved, this.avoidMillis);
			this.resolver = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "memcached-resolver-" + serverLog.alias());
				thread.setDaemon(true);
				return thread;
			});
			this.resolver.scheduleWithFixedDelay(this::resolveAgain, this.avoidMillis, this.avoidMillis,
					TimeUnit.MILLISECONDS);
		}
	}

	private ConnectionFactory connectionFactory() {
		return new ConnectionFactoryBuilder()
			.setProtocol((this.options.getProtocol() == MemcachedOptions.Protocol.BINARY)
					? ConnectionFactoryBuilder.Protocol.BINARY : ConnectionFactoryBuilder.Protocol.TEXT)
			.setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
			// CONSISTENT alone still hashes with NATIVE_HASH: Ketama needs its hash set too.
			.setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
			.setFailureMode(switch (this.options.getFailureMode()) {
				case REDISTRIBUTE -> FailureMode.Redistribute;
				case CANCEL -> FailureMode.Cancel;
				case RETRY -> FailureMode.Retry;
			})
			.setOpTimeout(this.timeoutMillis)
			.setTimeoutExceptionThreshold(Math.max(2, this.threshold))
			.setMaxReconnectDelay(Math.max(1, this.options.getReconnectDelay().toSeconds()))
			// A full queue means a server in trouble: fail the call instead of blocking the caller for 10 s.
			.setOpQueueMaxBlockTime(Math.min(50, this.timeoutMillis))
			.setDaemon(true)
			.setUseNagleAlgorithm(false)
			.setTranscoder(this.transcoder)
			.build();
	}

	/** Clients for the resolved servers (none if no server resolved); closes what it made if it fails. */
	private Clients createClients(Map<String, InetSocketAddress> resolved) throws IOException {
		if (resolved.isEmpty()) {
			return new Clients(resolved, new MemcachedClient[0], null);
		}
		// A factory of their own: shutting a client down also shuts down its factory's listener executor.
		ConnectionFactory factory = connectionFactory();
		List<InetSocketAddress> addresses = List.copyOf(resolved.values());
		MemcachedClient[] clients = new MemcachedClient[Math.max(1, this.options.getConnections())];
		try {
			for (int i = 0; i < clients.length; i++) {
				clients[i] = SpyLogging.newClient(factory, addresses);
				clients[i].addObserver(new Observer(clients[i]));
			}
		}
		catch (IOException | RuntimeException ex) {
			shutdown(clients);
			throw ex;
		}
		return new Clients(resolved, clients, factory);
	}

	/**
	 * Give the non-blocking connects a moment so that the first calls are not refused as "down"; servers still down
	 * after it are retried in the background.
	 */
	private static void awaitConnected(Clients clients, long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (System.nanoTime() < deadline) {
			boolean all = true;
			for (MemcachedNode node : nodes(clients)) {
				// A refused connect has already been queued for a retry (the count starts at 1): no point waiting.
				all &= node.isActive() || node.getReconnectCount() > 1;
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

	/** A server that could not be connected to yet is down; spymemcached keeps trying it in the background. */
	private void logUnconnected(Clients clients) {
		for (MemcachedNode node : nodes(clients)) {
			if (!node.isActive()) {
				this.serverLog.down(format(node.getSocketAddress()), "cannot connect");
			}
		}
	}

	private static List<MemcachedNode> nodes(Clients clients) {
		List<MemcachedNode> nodes = new ArrayList<>();
		for (MemcachedClient client : clients.clients()) {
			nodes.addAll(client.getConnection().getLocator().getAll());
		}
		return nodes;
	}

	/**
	 * On the resolver thread: resolve the hosts still unresolved (a DNS lookup can take seconds, so never in a
	 * call), and when one resolves, switch to new clients that include it.
	 */
	private void resolveAgain() {
		try {
			Clients before = this.current;
			Map<String, InetSocketAddress> resolved = new LinkedHashMap<>();
			Map<String, InetSocketAddress> found = new LinkedHashMap<>();
			for (InetSocketAddress address : this.configured) {
				String name = format(address);
				InetSocketAddress known = before.resolved().get(name);
				if (known == null) {
					known = new InetSocketAddress(address.getHostString(), address.getPort());
					if (known.isUnresolved()) {
						continue;
					}
					found.put(name, known);
				}
				resolved.put(name, known);
			}
			if (found.isEmpty()) {
				return;
			}
			Clients after = createClients(resolved);
			awaitConnected(after, this.timeoutMillis);
			synchronized (this.lock) {
				if (this.closed) {
					shutdown(after.clients());
					return;
				}
				this.current = after;
				this.retiring.add(before);
			}
			found.forEach((name, address) -> this.serverLog.resolved(name, address.getAddress().getHostAddress()));
			logUnconnected(after);
			// A call in flight on the old clients waits the operation timeout at most: close them after it.
			this.resolver.schedule(() -> {
				this.retiring.remove(before);
				shutdown(before.clients());
			}, 2 * this.timeoutMillis, TimeUnit.MILLISECONDS);
			if (resolved.size() == this.configured.size()) {
				// Nothing left to resolve: the periodic task ends, the delayed close still runs, then the thread.
				this.resolver.shutdown();
			}
		}
		catch (IOException | RuntimeException ex) {
			// Tried again at the next round.
			this.serverLog.debug("Resolving memcached hosts again failed", ex);
		}
	}

	private MemcachedClient client() {
		MemcachedClient[] clients = this.current.clients();
		if (clients.length == 0) {
			throw new CacheAccessException("no memcached host of " + this.configured.stream().map(SpyTransport::format)
				.toList() + " can be resolved yet");
		}
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
		return this.breakers.computeIfAbsent(address, Breaker::new);
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

	/**
	 * One multi-get per server, each awaited by the same deadline: a server that does not answer in time fails its
	 * part alone (counted by its breaker like any timeout), the other parts are kept.
	 */
	@Override
	public Map<String, CachedData> getMany(List<String> keys, Consumer<CacheAccessException> failures) {
		MemcachedClient client = client();
		Map<MemcachedNode, List<String>> byNode = new LinkedHashMap<>();
		int down = 0;
		for (String key : keys) {
			try {
				byNode.computeIfAbsent(target(client, key), (node) -> new ArrayList<>()).add(key);
			}
			catch (CacheAccessException ex) {
				down++;
			}
		}
		if (byNode.isEmpty()) {
			if (!keys.isEmpty()) {
				throw new CacheAccessException("memcached servers of all " + keys.size() + " keys are down");
			}
			return Collections.emptyMap();
		}
		if (down > 0) {
			failures.accept(new CacheAccessException(down + " of " + keys.size() + " keys are on memcached servers "
					+ "that are down"));
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
		Map<MemcachedNode, Future<Map<String, CachedData>>> futures = new LinkedHashMap<>();
		for (Map.Entry<MemcachedNode, List<String>> entry : byNode.entrySet()) {
			try {
				futures.put(entry.getKey(), client.asyncGetBulk(entry.getValue(), RawTranscoder.INSTANCE));
			}
			catch (RuntimeException ex) {
				failures.accept(new CacheAccessException("getMany failed on memcached server "
						+ format(entry.getKey().getSocketAddress()) + ": " + ex.getMessage(), ex));
			}
		}
		Map<String, CachedData> found = new HashMap<>();
		for (Map.Entry<MemcachedNode, Future<Map<String, CachedData>>> entry : futures.entrySet()) {
			long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
			try {
				Map<String, CachedData> part = await("getMany", entry.getKey(), entry.getValue(), remaining);
				if (part != null) {
					found.putAll(part);
				}
			}
			catch (CacheAccessException ex) {
				failures.accept(ex);
			}
		}
		return found;
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
		for (Map<String, String> stats : stats(this.current, "settings").values()) {
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
	private Map<SocketAddress, Map<String, String>> stats(Clients clients, @Nullable String arg) {
		Map<SocketAddress, Map<String, String>> result = new ConcurrentHashMap<>();
		if (clients.clients().length == 0) {
			return result;
		}
		MemcachedClient client = clients.clients()[0];
		List<MemcachedNode> live = new ArrayList<>();
		for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
			if (node.isActive() && !breaker(node.getSocketAddress()).isOpen()) {
				live.add(node);
			}
		}
		if (live.isEmpty()) {
			return result;
		}
		try {
			CountDownLatch latch = client.broadcastOp((node, done) -> {
				SocketAddress address = node.getSocketAddress();
				Map<String, String> values = new ConcurrentHashMap<>();
				result.put(address, values);
				return clients.factory().getOperationFactory().stats(arg, new StatsOperation.Callback() {

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
		Clients clients = this.current;
		Map<SocketAddress, Map<String, String>> stats = stats(clients, null);
		Map<String, MemcachedCacheBackend.ServerStatus> servers = new LinkedHashMap<>();
		for (InetSocketAddress configured : this.configured) {
			String name = format(configured);
			InetSocketAddress address = clients.resolved().get(name);
			boolean active = false;
			if (address != null) {
				for (MemcachedNode node : nodes(clients)) {
					if (node.getSocketAddress().equals(address) && node.isActive()) {
						active = true;
					}
				}
			}
			Breaker breaker = (address != null) ? this.breakers.get(address) : null;
			boolean alive = active && (breaker == null || !breaker.isOpen());
			Map<String, String> values = (address != null) ? stats.getOrDefault(address, Map.of()) : Map.of();
			servers.put(name, new MemcachedCacheBackend.ServerStatus(name, alive,
					alive ? Map.copyOf(new LinkedHashMap<>(values)) : Map.of()));
		}
		return servers;
	}

	@Override
	public String serverFor(String key) {
		MemcachedClient[] clients = this.current.clients();
		if (clients.length == 0) {
			return format(this.configured.get(0));
		}
		return format(clients[0].getConnection().getLocator().getPrimary(key).getSocketAddress());
	}

	@Override
	public void close() {
		synchronized (this.lock) {
			this.closed = true;
		}
		if (this.resolver != null) {
			this.resolver.shutdownNow();
			try {
				this.resolver.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		List<Clients> all = new ArrayList<>(this.retiring);
		all.add(this.current);
		for (Clients clients : all) {
			shutdown(clients.clients());
		}
	}

	private static void shutdown(MemcachedClient[] clients) {
		for (MemcachedClient client : clients) {
			if (client != null) {
				try {
					// No call is ever left in flight (every call waits for its result), so nothing is lost by not
					// draining the queues, which would wait out the timeout for a dead server.
					SpyLogging.shutdown(client);
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

	/** Enqueue {@code flush_all} for one server of a client. */
	private Future<Boolean> flushServer(MemcachedClient client, SocketAddress address) {
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		ConnectionFactory factory = this.current.factory();
		if (factory == null) {
			result.complete(false);
			return result;
		}
		for (MemcachedNode node : client.getConnection().getLocator().getAll()) {
			if (node.getSocketAddress().equals(address)) {
				client.broadcastOp((target, latch) -> factory.getOperationFactory().flush(0, new OperationCallback() {

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
	 * The servers' connections as spymemcached sees them: a lost connection is a server down (logged once), a
	 * connection made again is a server back unless it still times out (a hung server accepts connections); with
	 * {@code flushAfterOutage}, a server whose connection was lost is flushed when it is reopened (a partition keeps
	 * its memory).
	 */
	private final class Observer implements ConnectionObserver {

		private final MemcachedClient client;

		Observer(MemcachedClient client) {
			this.client = client;
		}

		private boolean isCurrent() {
			Clients current = SpyTransport.this.current;
			if (current == null) {
				// spymemcached reports the connections made so far while a client is being built.
				return false;
			}
			for (MemcachedClient candidate : current.clients()) {
				if (candidate == this.client) {
					return !SpyTransport.this.closed;
				}
			}
			return false;
		}

		@Override
		public void connectionEstablished(SocketAddress address, int reconnectCount) {
			if (SpyTransport.this.flushAfterOutage && SpyTransport.this.lost.remove(address)) {
				flushServer(this.client, address);
			}
			if (isCurrent() && breaker(address).timeouts.get() == 0) {
				SpyTransport.this.serverLog.up(format(address));
			}
		}

		@Override
		public void connectionLost(SocketAddress address) {
			if (SpyTransport.this.flushAfterOutage) {
				SpyTransport.this.lost.add(address);
			}
			if (isCurrent()) {
				SpyTransport.this.serverLog.down(format(address), "connection lost");
			}
		}

	}

	/**
	 * The resolved servers (by their configured {@code host:port}), the clients over them, and their factory.
	 */
	private record Clients(Map<String, InetSocketAddress> resolved, MemcachedClient[] clients,
			@Nullable ConnectionFactory factory) {
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

		final String address;

		final AtomicInteger timeouts = new AtomicInteger();

		final AtomicBoolean flushing = new AtomicBoolean();

		volatile long openUntil;

		Breaker(SocketAddress address) {
			this.address = format(address);
		}

		boolean isOpen() {
			return this.openUntil != 0 && System.nanoTime() - this.openUntil < 0;
		}

		void success() {
			if (this.timeouts.get() != 0) {
				this.timeouts.set(0);
			}
			SpyTransport.this.serverLog.up(this.address);
		}

		/** One caller flushes the recovered server, waiting; the others are refused until it has. */
		void flushBeforeUse(MemcachedClient client, MemcachedNode node) {
			if (!this.flushing.compareAndSet(false, true)) {
				throw new CacheAccessException("memcached server " + this.address + " is being flushed after an outage");
			}
			try {
				Boolean flushed = flushServer(client, node.getSocketAddress()).get(SpyTransport.this.timeoutMillis,
						TimeUnit.MILLISECONDS);
				if (!Boolean.TRUE.equals(flushed)) {
					throw new CacheAccessException("flush_all after an outage failed on memcached server " + this.address);
				}
				this.timeouts.set(0);
				this.openUntil = 0;
			}
			catch (TimeoutException ex) {
				timeout();
				throw new CacheAccessException("memcached server " + this.address + " is still not answering", ex);
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
			int count = this.timeouts.incrementAndGet();
			if (count >= SpyTransport.this.threshold) {
				long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SpyTransport.this.avoidMillis);
				this.openUntil = (until == 0) ? 1 : until;
				SpyTransport.this.serverLog.down(this.address, count + " timeouts in a row");
			}
		}

	}

}
