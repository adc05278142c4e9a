package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.cacheframework.backend.memcached.OutagePolicy.Placed;
import io.cacheframework.core.CacheAccessException;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.internal.BulkFuture;
import net.spy.memcached.internal.GetFuture;
import net.spy.memcached.internal.OperationFuture;
import net.spy.memcached.ops.Operation;
import net.spy.memcached.ops.OperationCallback;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.StatsOperation;
import net.spy.memcached.transcoders.Transcoder;
import org.jspecify.annotations.Nullable;

/**
 * TCP servers through spymemcached, with what it lacks for a cache in a request path:
 * <ul>
 * <li>keys placed by the backend's {@link KeyPlacement} ({@link PlacementNodeLocator}; spymemcached's default,
 * {@code NATIVE_HASH} modulo, moves almost every key when a server is added or lost);</li>
 * <li>the {@link OutagePolicy}: a call for a key whose server is down (and, in redistribute mode, with no live server
 * to take over) or hung is refused at once instead of waiting out the operation timeout in spymemcached's queue;
 * spymemcached reopens a hung server's connection after {@code timeoutThreshold} timeouts instead of its default
 * 998;</li>
 * <li>host names that cannot be resolved at startup are resolved again in the background, and the clients rebuilt
 * with them once they resolve (spymemcached resolves once, and cannot even start with an unresolved address);</li>
 * <li>spymemcached's lines for every reconnect attempt turned down ({@link SpyLogging}): the policy's
 * {@link ServerLog} says what matters.</li>
 * </ul>
 */
final class SpyTransport implements MemcachedTransport, AsyncMemcachedTransport {

	static {
		SpyLogging.install();
	}

	/** The servers as configured, in order; some may be unresolved. */
	private final List<InetSocketAddress> configured;

	private final MemcachedOptions options;

	private final OutagePolicy policy;

	private final Function<List<? extends SocketAddress>, KeyPlacement> placements;

	private final long timeoutMillis;

	private final AtomicInteger next = new AtomicInteger();

	private final Object lock = new Object();

	/** Resolves the hosts that did not resolve at startup; {@code null} if all did. */
	private final @Nullable ScheduledExecutorService resolver;

	/** Clients replaced after a host resolved, closed once the calls in flight on them are over. */
	private final List<Clients> retiring = Collections.synchronizedList(new ArrayList<>());

	private volatile Clients current;

	private volatile boolean closed;

	/**
	 * @param addresses the servers, in {@code location} order; those not resolved yet are resolved again later
	 * @param options the client settings
	 * @param policy the cache's outage policy
	 * @param placements builds the placement over the servers in use (the resolved ones)
	 */
	SpyTransport(List<InetSocketAddress> addresses, MemcachedOptions options, OutagePolicy policy,
			Function<List<? extends SocketAddress>, KeyPlacement> placements) {
		this.configured = List.copyOf(addresses);
		this.options = options;
		this.policy = policy;
		this.placements = placements;
		this.timeoutMillis = Math.max(1, options.getOperationTimeout().toMillis());
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
			long retryMillis = policy.retryDelay().toMillis();
			policy.log().unresolvable(unresolved, retryMillis);
			this.resolver = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "memcached-resolver-" + policy.log().alias());
				thread.setDaemon(true);
				return thread;
			});
			this.resolver.scheduleWithFixedDelay(this::resolveAgain, retryMillis, retryMillis, TimeUnit.MILLISECONDS);
		}
	}

	private ConnectionFactory connectionFactory() {
		return new ConnectionFactoryBuilder()
			.setProtocol((this.options.getProtocol() == MemcachedOptions.Protocol.BINARY)
					? ConnectionFactoryBuilder.Protocol.BINARY : ConnectionFactoryBuilder.Protocol.TEXT)
			.setFailureMode(switch (this.options.getFailureMode()) {
				case REDISTRIBUTE -> FailureMode.Redistribute;
				case CANCEL -> FailureMode.Cancel;
				case RETRY -> FailureMode.Retry;
			})
			.setOpTimeout(this.timeoutMillis)
			.setTimeoutExceptionThreshold(Math.max(2, this.options.getTimeoutThreshold()))
			.setMaxReconnectDelay(Math.max(1, this.options.getReconnectDelay().toSeconds()))
			// A full queue means a server in trouble: fail the call instead of blocking the caller for 10 s.
			.setOpQueueMaxBlockTime(Math.min(50, this.timeoutMillis))
			.setDaemon(true)
			.setUseNagleAlgorithm(false)
			.build();
	}

	/** Clients for the resolved servers (none if no server resolved); closes what it made if it fails. */
	private Clients createClients(Map<String, InetSocketAddress> resolved) throws IOException {
		List<String> names = List.copyOf(resolved.keySet());
		OutagePolicy.Server[] servers = new OutagePolicy.Server[names.size()];
		Map<SocketAddress, OutagePolicy.Server> byAddress = new HashMap<>();
		List<InetSocketAddress> addresses = List.copyOf(resolved.values());
		for (int i = 0; i < servers.length; i++) {
			servers[i] = this.policy.server(names.get(i));
			byAddress.put(addresses.get(i), servers[i]);
		}
		if (resolved.isEmpty()) {
			return new Clients(resolved, new MemcachedClient[0], null, null, servers, byAddress);
		}
		// A factory of their own: shutting a client down also shuts down its factory's listener executor.
		ConnectionFactory factory = connectionFactory();
		KeyPlacement placement = this.placements.apply(addresses);
		MemcachedClient[] clients = new MemcachedClient[Math.max(1, this.options.getConnections())];
		try {
			for (int i = 0; i < clients.length; i++) {
				clients[i] = SpyLogging.newClient(factory, addresses, placement);
				clients[i].addObserver(new Observer(clients[i]));
			}
		}
		catch (IOException | RuntimeException ex) {
			shutdown(clients);
			throw ex;
		}
		return new Clients(resolved, clients, factory, placement, servers, byAddress);
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
				this.policy.disconnected(clients.server(node.getSocketAddress()), "cannot connect");
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
			found.forEach((name, address) -> this.policy.log().resolved(name, address.getAddress().getHostAddress()));
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
			this.policy.log().debug("Resolving memcached hosts again failed", ex);
		}
	}

	private MemcachedClient client(Clients clients) {
		MemcachedClient[] all = clients.clients();
		if (all.length == 0) {
			throw new CacheAccessException("no memcached host of "
					+ this.configured.stream().map(SpyTransport::format).toList() + " can be resolved yet");
		}
		return (all.length == 1) ? all[0] : all[Math.floorMod(this.next.getAndIncrement(), all.length)];
	}

	private static PlacementNodeLocator locator(MemcachedClient client) {
		// The live locator: getNodeLocator() copies it on every call.
		return (PlacementNodeLocator) client.getConnection().getLocator();
	}

	/**
	 * The server spymemcached will send a key to (the same choice as {@code MemcachedConnection.addOperation}, which
	 * follows our placement), or a {@link CacheAccessException} at once if there is none.
	 */
	private int target(Clients clients, MemcachedClient client, String key) {
		PlacementNodeLocator locator = locator(client);
		int server = this.policy.serverFor(clients.placement(), key, (index) -> locator.node(index).isActive());
		if (server < 0) {
			throw new CacheAccessException(
					"memcached server " + clients.name(clients.placement().serverFor(key)) + " is down");
		}
		return server;
	}

	/**
	 * Before a call to a server: refused at once while its breaker is open; flushed first if it is due for a flush
	 * after an outage, within the call's time.
	 */
	private OutagePolicy.Server use(Clients clients, MemcachedClient client, int index, long deadline) {
		OutagePolicy.Server server = clients.servers()[index];
		this.policy.checkAvailable(server);
		this.policy.flushIfDue(server, () -> awaitFlush(clients, client, index, deadline));
		return server;
	}

	private long deadline() {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
	}

	private <T> T call(String operation, String key, CallBody<T> body) {
		long deadline = deadline();
		Clients clients = this.current;
		MemcachedClient client = client(clients);
		OutagePolicy.Server server = use(clients, client, target(clients, client, key), deadline);
		Future<T> future;
		try {
			future = body.start(client);
		}
		catch (RuntimeException ex) {
			throw new CacheAccessException(operation + " failed on memcached server " + server + ": "
					+ ex.getMessage(), ex);
		}
		return await(operation, server, future, remaining(deadline));
	}

	/** The outcome of one call, reported to the policy: an answer, or a timeout. */
	private <T> T await(String operation, OutagePolicy.Server server, Future<T> future, long millis) {
		try {
			T result = future.get(millis, TimeUnit.MILLISECONDS);
			this.policy.answered(server);
			return result;
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			this.policy.timedOut(server);
			throw new CacheAccessException(operation + " timed out after " + this.timeoutMillis
					+ " ms on memcached server " + server, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CacheAccessException(operation + " interrupted", ex);
		}
		catch (ExecutionException | RuntimeException ex) {
			Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
			throw new CacheAccessException(operation + " failed on memcached server " + server + ": "
					+ cause.getMessage(), cause);
		}
	}

	private long remaining(long deadline) {
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
	}

	@Override
	public @Nullable MemcachedItem get(String key) {
		return call("get", key, (client) -> client.asyncGet(key, Items.INSTANCE));
	}

	/**
	 * One multi-get per server, each awaited by the same deadline: a server that does not answer in time fails its
	 * part alone (counted by its breaker like any timeout), the other parts are kept.
	 */
	@Override
	public Map<String, MemcachedItem> getMany(List<String> keys, Consumer<CacheAccessException> failures) {
		long deadline = deadline();
		Clients clients = this.current;
		MemcachedClient client = client(clients);
		PlacementNodeLocator locator = locator(client);
		Placed placed = this.policy.place(clients.placement(), keys, (index) -> locator.node(index).isActive());
		int down = placed.down().size();
		Map<OutagePolicy.Server, Future<Map<String, MemcachedItem>>> futures = new LinkedHashMap<>();
		for (Map.Entry<Integer, List<String>> entry : placed.byServer().entrySet()) {
			OutagePolicy.Server server;
			try {
				server = use(clients, client, entry.getKey(), deadline);
			}
			catch (CacheAccessException ex) {
				down += entry.getValue().size();
				continue;
			}
			try {
				futures.put(server, client.asyncGetBulk(entry.getValue(), Items.INSTANCE));
			}
			catch (RuntimeException ex) {
				failures.accept(new CacheAccessException("getMany failed on memcached server " + server + ": "
						+ ex.getMessage(), ex));
			}
		}
		if (down == keys.size()) {
			if (!keys.isEmpty()) {
				throw new CacheAccessException("memcached servers of all " + keys.size() + " keys are down");
			}
			return Collections.emptyMap();
		}
		if (down > 0) {
			failures.accept(new CacheAccessException(down + " of " + keys.size() + " keys are on memcached servers "
					+ "that are down"));
		}
		Map<String, MemcachedItem> found = new HashMap<>();
		futures.forEach((server, future) -> {
			try {
				Map<String, MemcachedItem> part = await("getMany", server, future, remaining(deadline));
				if (part != null) {
					found.putAll(part);
				}
			}
			catch (CacheAccessException ex) {
				failures.accept(ex);
			}
		});
		return found;
	}

	@Override
	public boolean store(boolean add, String key, int exptime, MemcachedItem item) {
		Boolean stored = call(add ? "add" : "set", key, (client) -> add ? client.add(key, exptime, item, Items.INSTANCE)
				: client.set(key, exptime, item, Items.INSTANCE));
		return Boolean.TRUE.equals(stored);
	}

	/**
	 * One request per key, all sent before any is awaited, each to a server that was checked once for the batch.
	 * @return the keys whose request could not be sent, with the servers of the others
	 */
	private <T> List<String> sendEach(Clients clients, MemcachedClient client, List<String> keys, long deadline,
			Function<String, Future<T>> request, Map<String, Sent<T>> sent) {
		PlacementNodeLocator locator = locator(client);
		Placed placed = this.policy.place(clients.placement(), keys, (index) -> locator.node(index).isActive());
		List<String> unsent = new ArrayList<>(placed.down());
		for (Map.Entry<Integer, List<String>> entry : placed.byServer().entrySet()) {
			OutagePolicy.Server server;
			try {
				server = use(clients, client, entry.getKey(), deadline);
			}
			catch (CacheAccessException ex) {
				unsent.addAll(entry.getValue());
				continue;
			}
			for (String key : entry.getValue()) {
				try {
					sent.put(key, new Sent<>(server, request.apply(key)));
				}
				catch (RuntimeException ex) {
					unsent.add(key);
				}
			}
		}
		return unsent;
	}

	@Override
	public List<String> storeMany(Map<String, MemcachedItem> items, int exptime) {
		long deadline = deadline();
		Clients clients = this.current;
		MemcachedClient client = client(clients);
		Map<String, Sent<Boolean>> sent = new LinkedHashMap<>();
		List<String> failed = sendEach(clients, client, List.copyOf(items.keySet()), deadline,
				(key) -> client.set(key, exptime, items.get(key), Items.INSTANCE), sent);
		sent.forEach((key, request) -> {
			try {
				if (!Boolean.TRUE.equals(await("set", request.server(), request.future(), remaining(deadline)))) {
					failed.add(key);
				}
			}
			catch (CacheAccessException ex) {
				failed.add(key);
			}
		});
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
		long deadline = deadline();
		Clients clients = this.current;
		MemcachedClient client = client(clients);
		Map<String, Sent<Boolean>> sent = new LinkedHashMap<>();
		int unreachable = sendEach(clients, client, keys, deadline, client::delete, sent).size();
		for (Sent<Boolean> request : sent.values()) {
			try {
				await("delete", request.server(), request.future(), remaining(deadline));
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
		MemcachedClient client = client(this.current);
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

	/** {@code flush_all} on one server, waiting for its answer (the policy's flush after an outage). */
	private void awaitFlush(Clients clients, MemcachedClient client, int index, long deadline) {
		OutagePolicy.Server server = clients.servers()[index];
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		client.broadcastOp((node, latch) -> flush(clients.factory(), result, latch),
				List.of(locator(client).node(index)));
		if (!Boolean.TRUE.equals(await("flush_all after an outage", server, result, remaining(deadline)))) {
			throw new CacheAccessException("flush_all after an outage failed on memcached server " + server);
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
			if (node.isActive() && this.policy.isAvailable(clients.server(node.getSocketAddress()))) {
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
					active |= node.getSocketAddress().equals(address) && node.isActive();
				}
			}
			boolean alive = active && this.policy.isAvailable(clients.server(address));
			Map<String, String> values = (address != null) ? stats.getOrDefault(address, Map.of()) : Map.of();
			servers.put(name, new MemcachedCacheBackend.ServerStatus(name, alive,
					alive ? Map.copyOf(new LinkedHashMap<>(values)) : Map.of()));
		}
		return servers;
	}

	@Override
	public String serverFor(String key) {
		Clients clients = this.current;
		if (clients.placement() == null) {
			return format(this.configured.get(0));
		}
		return clients.name(clients.placement().serverFor(key));
	}

	@Override
	public @Nullable SocketAddress socketAddress(String server) {
		return this.current.resolved().get(server);
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

	// ---------------------------------------------------------------- asynchronous calls

	// The same server choice and outage checks as the blocking calls; then spymemcached's own future completes ours
	// from its listener threads (no thread waits per call), and a scheduled deadline of the operation timeout
	// completes it as a timeout, reported to the policy as the blocking await reports one. With flush-after-outage,
	// the one call that flushes a server after an outage waits for that flush, as a blocking call does.

	/**
	 * The asynchronous twin of {@code call}: one key's request, refused at once when its server is down.
	 */
	private <T> CompletableFuture<T> callAsync(String operation, String key, AsyncBody<T> body) {
		try {
			long deadline = deadline();
			Clients clients = this.current;
			MemcachedClient client = client(clients);
			OutagePolicy.Server server = use(clients, client, target(clients, client, key), deadline);
			return sendAsync(operation, server, () -> body.start(client));
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private <T> CompletableFuture<T> sendAsync(String operation, OutagePolicy.Server server, AsyncBody.Send<T> send) {
		Sending<T> sending;
		try {
			sending = send.start();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(new CacheAccessException(operation + " failed on memcached server "
					+ server + ": " + ex.getMessage(), ex));
		}
		return answerAsync(operation, server, sending);
	}

	/**
	 * The asynchronous twin of {@code await}: the outcome of one request, reported to the policy. An answer arrives
	 * on spymemcached's listener thread; a timeout fires on the JDK's timer thread and completes the call there, so
	 * that it completes even while a caller's callback holds the listener thread.
	 */
	private <T> CompletableFuture<T> answerAsync(String operation, OutagePolicy.Server server, Sending<T> sending) {
		return sending.answer().orTimeout(this.timeoutMillis, TimeUnit.MILLISECONDS).handle((value, failure) -> {
			if (failure == null) {
				this.policy.answered(server);
				return value;
			}
			Throwable cause = cause(failure);
			if (cause instanceof TimeoutException) {
				sending.request().cancel(false);
				this.policy.timedOut(server);
				throw new CacheAccessException(operation + " timed out after " + this.timeoutMillis
						+ " ms on memcached server " + server, cause);
			}
			throw new CacheAccessException(operation + " failed on memcached server " + server + ": "
					+ cause.getMessage(), cause);
		});
	}

	/**
	 * The listener threads of a client's factory; the caller's thread once they are shut down (the cache closing).
	 */
	private static Executor listeners(Clients clients) {
		ConnectionFactory factory = clients.factory();
		if (factory == null) {
			return Runnable::run;
		}
		ExecutorService listeners = factory.getListenerExecutorService();
		return (task) -> {
			try {
				listeners.execute(task);
			}
			catch (RejectedExecutionException ex) {
				task.run();
			}
		};
	}

	/** A spymemcached future's outcome, taken when its listener is told (it is done then: nothing waits). */
	@SuppressWarnings("unchecked")
	private static <T> void settle(CompletableFuture<T> answer, Future<?> done) {
		try {
			answer.complete((T) done.get());
		}
		catch (ExecutionException ex) {
			answer.completeExceptionally((ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (RuntimeException ex) {
			// A cancelled request (CancellationException) too.
			answer.completeExceptionally(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			answer.completeExceptionally(ex);
		}
	}

	private static <T> Sending<T> listen(GetFuture<T> request) {
		CompletableFuture<T> answer = new CompletableFuture<>();
		request.addListener((done) -> settle(answer, done));
		return new Sending<>(request, answer);
	}

	private static <T> Sending<T> listen(OperationFuture<T> request) {
		CompletableFuture<T> answer = new CompletableFuture<>();
		request.addListener((done) -> settle(answer, done));
		return new Sending<>(request, answer);
	}

	private static <T> Sending<T> listen(BulkFuture<T> request) {
		CompletableFuture<T> answer = new CompletableFuture<>();
		request.addListener((done) -> settle(answer, done));
		return new Sending<>(request, answer);
	}

	@Override
	public CompletableFuture<@Nullable MemcachedItem> getAsync(String key) {
		return callAsync("get", key, (client) -> listen(client.asyncGet(key, Items.INSTANCE)));
	}

	@Override
	public CompletableFuture<Map<String, MemcachedItem>> getManyAsync(List<String> keys,
			Consumer<CacheAccessException> failures) {
		List<CompletableFuture<Map<String, MemcachedItem>>> parts = new ArrayList<>();
		try {
			long deadline = deadline();
			Clients clients = this.current;
			MemcachedClient client = client(clients);
			PlacementNodeLocator locator = locator(client);
			Placed placed = this.policy.place(clients.placement(), keys, (index) -> locator.node(index).isActive());
			int down = placed.down().size();
			for (Map.Entry<Integer, List<String>> entry : placed.byServer().entrySet()) {
				OutagePolicy.Server server;
				try {
					server = use(clients, client, entry.getKey(), deadline);
				}
				catch (CacheAccessException ex) {
					down += entry.getValue().size();
					continue;
				}
				parts.add(sendAsync("getMany", server,
						() -> listen(client.asyncGetBulk(entry.getValue(), Items.INSTANCE))));
			}
			if (down == keys.size()) {
				if (!keys.isEmpty()) {
					throw new CacheAccessException("memcached servers of all " + keys.size() + " keys are down");
				}
				return CompletableFuture.completedFuture(Collections.emptyMap());
			}
			if (down > 0) {
				failures.accept(new CacheAccessException(down + " of " + keys.size()
						+ " keys are on memcached servers that are down"));
			}
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return settled(parts).thenApply((done) -> {
			Map<String, MemcachedItem> found = new HashMap<>();
			for (CompletableFuture<Map<String, MemcachedItem>> part : parts) {
				CacheAccessException failure = failure(part);
				if (failure != null) {
					failures.accept(failure);
				}
				else if (part.join() != null) {
					found.putAll(part.join());
				}
			}
			return found;
		});
	}

	@Override
	public CompletableFuture<Boolean> storeAsync(boolean add, String key, int exptime, MemcachedItem item) {
		return this.<Boolean>callAsync(add ? "add" : "set", key,
				(client) -> listen(add ? client.add(key, exptime, item, Items.INSTANCE)
						: client.set(key, exptime, item, Items.INSTANCE)))
			.thenApply(Boolean.TRUE::equals);
	}

	@Override
	public CompletableFuture<List<String>> storeManyAsync(Map<String, MemcachedItem> items, int exptime) {
		Map<String, Sent<Boolean>> sent = new LinkedHashMap<>();
		List<String> failed = new ArrayList<>();
		Clients clients = this.current;
		try {
			MemcachedClient client = client(clients);
			failed.addAll(sendEach(clients, client, List.copyOf(items.keySet()), deadline(),
					(key) -> client.set(key, exptime, items.get(key), Items.INSTANCE), sent));
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		Map<String, CompletableFuture<Boolean>> answers = answersOf("set", sent);
		return settled(List.copyOf(answers.values())).thenApply((done) -> {
			answers.forEach((key, answer) -> {
				if (failure(answer) != null || !Boolean.TRUE.equals(answer.join())) {
					failed.add(key);
				}
			});
			return failed;
		});
	}

	@Override
	public CompletableFuture<Boolean> touchAsync(String key, int exptime) {
		return this.<Boolean>callAsync("touch", key, (client) -> listen(client.touch(key, exptime)))
			.thenApply(Boolean.TRUE::equals);
	}

	@Override
	public CompletableFuture<Boolean> deleteAsync(String key) {
		return this.<Boolean>callAsync("delete", key, (client) -> listen(client.delete(key)))
			.thenApply(Boolean.TRUE::equals);
	}

	@Override
	public CompletableFuture<@Nullable Void> deleteManyAsync(List<String> keys) {
		Map<String, Sent<Boolean>> sent = new LinkedHashMap<>();
		int[] unsent = new int[1];
		Clients clients = this.current;
		try {
			MemcachedClient client = client(clients);
			unsent[0] = sendEach(clients, client, keys, deadline(), client::delete, sent).size();
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		Map<String, CompletableFuture<Boolean>> answers = answersOf("delete", sent);
		return settled(List.copyOf(answers.values())).thenApply((done) -> {
			long unreachable = unsent[0] + answers.values().stream().filter((answer) -> failure(answer) != null).count();
			if (unreachable > 0) {
				throw new CacheAccessException("deleteMany: " + unreachable + " of " + keys.size()
						+ " keys could not be deleted");
			}
			return null;
		});
	}

	@Override
	public CompletableFuture<@Nullable Long> incrAsync(String key, long delta) {
		return this.<Long>callAsync((delta >= 0) ? "incr" : "decr", key,
				(client) -> listen((delta >= 0) ? client.asyncIncr(key, delta) : client.asyncDecr(key, -delta)))
			.thenApply((result) -> (result == null || result == -1) ? null : result);
	}

	/**
	 * {@code flush_all} on every server, each answer taken by its own callback: spymemcached's {@code flush()} future
	 * never tells its listeners, so it cannot be used here. The callbacks run on the I/O thread, where nothing of the
	 * caller's may run: what follows is handed to the listener threads.
	 */
	@Override
	public CompletableFuture<@Nullable Void> flushAsync() {
		Clients clients = this.current;
		List<CompletableFuture<Boolean>> answers = Collections.synchronizedList(new ArrayList<>());
		try {
			MemcachedClient client = client(clients);
			ConnectionFactory factory = clients.factory();
			client.broadcastOp((node, latch) -> {
				CompletableFuture<Boolean> answer = new CompletableFuture<>();
				answers.add(answer.orTimeout(this.timeoutMillis, TimeUnit.MILLISECONDS));
				return flush(factory, answer, latch);
			});
		}
		catch (CacheAccessException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(new CacheAccessException("flush_all failed: " + ex, ex));
		}
		List<CompletableFuture<Boolean>> all = List.copyOf(answers);
		// Handed to the listener threads as other answers are, bounded in case a caller's callback holds them.
		return settled(all).<@Nullable Void>thenApplyAsync((done) -> {
			for (CompletableFuture<Boolean> answer : all) {
				if (answer.isCompletedExceptionally()) {
					throw new CacheAccessException("flush_all got no answer within " + this.timeoutMillis
							+ " ms from at least one memcached server");
				}
				if (!Boolean.TRUE.equals(answer.join())) {
					throw new CacheAccessException("flush_all failed on at least one memcached server");
				}
			}
			return null;
		}, listeners(clients)).orTimeout(2 * this.timeoutMillis, TimeUnit.MILLISECONDS).exceptionally((failure) -> {
			Throwable cause = cause(failure);
			throw (cause instanceof CacheAccessException access) ? access
					: new CacheAccessException("flush_all got no answer within " + this.timeoutMillis + " ms", cause);
		});
	}

	/**
	 * A {@code flush_all} for one server, answered by its own callback: {@code answer} is whether the server said OK,
	 * {@code false} if the operation ended without saying so; {@code latch} is the broadcast's.
	 */
	private static Operation flush(ConnectionFactory factory, CompletableFuture<Boolean> answer,
			CountDownLatch latch) {
		return factory.getOperationFactory().flush(0, new OperationCallback() {

			@Override
			public void receivedStatus(OperationStatus status) {
				answer.complete(status.isSuccess());
			}

			@Override
			public void complete() {
				answer.complete(false);
				latch.countDown();
			}

		});
	}

	/** The answers to requests sent by {@code sendEach}, each bounded by the operation timeout. */
	@SuppressWarnings("unchecked")
	private Map<String, CompletableFuture<Boolean>> answersOf(String operation, Map<String, Sent<Boolean>> sent) {
		Map<String, CompletableFuture<Boolean>> answers = new LinkedHashMap<>();
		sent.forEach((key, request) -> answers.put(key,
				answerAsync(operation, request.server(), listen((OperationFuture<Boolean>) request.future()))));
		return answers;
	}

	/** Completes when every part has, whatever its outcome. */
	private static CompletableFuture<@Nullable Void> settled(List<? extends CompletableFuture<?>> parts) {
		return CompletableFuture.allOf(parts.stream()
			.map((part) -> part.handle((value, failure) -> null))
			.toArray(CompletableFuture[]::new));
	}

	/** What failed, without the wrapper a dependent stage adds. */
	private static Throwable cause(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/** A completed part's failure, or {@code null} if it succeeded. */
	private static @Nullable CacheAccessException failure(CompletableFuture<?> part) {
		if (!part.isCompletedExceptionally()) {
			return null;
		}
		try {
			part.join();
			return null;
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof CacheAccessException failure) {
				return failure;
			}
			throw ex;
		}
	}

	/** A request to spymemcached and our future of its answer. */
	private record Sending<T>(Future<?> request, CompletableFuture<T> answer) {
	}

	@FunctionalInterface
	private interface AsyncBody<T> {

		Sending<T> start(MemcachedClient client);

		@FunctionalInterface
		interface Send<T> {

			Sending<T> start();

		}

	}

	static String format(SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			return inet.getHostString() + ":" + inet.getPort();
		}
		return String.valueOf(address);
	}

	/**
	 * The servers' connections as spymemcached sees them: a lost connection is a server down, a connection made
	 * again is a server back unless it still times out (a hung server accepts connections).
	 */
	private final class Observer implements ConnectionObserver {

		private final MemcachedClient client;

		Observer(MemcachedClient client) {
			this.client = client;
		}

		private @Nullable Clients currentOwner() {
			Clients current = SpyTransport.this.current;
			if (current == null || SpyTransport.this.closed) {
				// spymemcached reports the connections made so far while a client is being built.
				return null;
			}
			for (MemcachedClient candidate : current.clients()) {
				if (candidate == this.client) {
					return current;
				}
			}
			return null;
		}

		private OutagePolicy.@Nullable Server server(SocketAddress address) {
			Clients owner = currentOwner();
			return (owner != null) ? owner.server(address) : null;
		}

		@Override
		public void connectionEstablished(SocketAddress address, int reconnectCount) {
			OutagePolicy.Server server = server(address);
			if (server != null) {
				SpyTransport.this.policy.reconnected(server);
			}
		}

		@Override
		public void connectionLost(SocketAddress address) {
			OutagePolicy.Server server = server(address);
			if (server != null) {
				SpyTransport.this.policy.disconnected(server, "connection lost");
			}
		}

	}

	/**
	 * The resolved servers (by their configured {@code host:port}), the clients over them with their factory and
	 * placement, and each server's health in the placement's order.
	 */
	private record Clients(Map<String, InetSocketAddress> resolved, MemcachedClient[] clients,
			@Nullable ConnectionFactory factory, @Nullable KeyPlacement placement, OutagePolicy.Server[] servers,
			Map<SocketAddress, OutagePolicy.Server> byAddress) {

		String name(int index) {
			return this.servers[index].address;
		}

		OutagePolicy.@Nullable Server server(SocketAddress address) {
			return this.byAddress.get(address);
		}

	}

	/** A request sent, and the server it went to. */
	private record Sent<T>(OutagePolicy.Server server, Future<T> future) {
	}

	@FunctionalInterface
	private interface CallBody<T> {

		Future<T> start(MemcachedClient client);

	}

	/** Hands items to spymemcached and back as they are: flags and bytes, encoded and decoded by the backend. */
	private enum Items implements Transcoder<MemcachedItem> {

		INSTANCE;

		@Override
		public boolean asyncDecode(CachedData data) {
			return false;
		}

		@Override
		public CachedData encode(MemcachedItem item) {
			return new CachedData(item.flags(), item.data(), Integer.MAX_VALUE);
		}

		@Override
		public MemcachedItem decode(CachedData data) {
			return new MemcachedItem(data.getFlags(), data.getData());
		}

		@Override
		public int getMaxSize() {
			return Integer.MAX_VALUE;
		}

	}

}
