package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;

/**
 * A Redis Cluster: the location lists seed nodes, Lettuce learns the slot map from them and routes each command to
 * the master that holds its key's slot (following MOVED and ASK when a slot moves, and refreshing the map on them and
 * every 30 s). Multi-key commands are split here, one per slot, so that each goes to one node and a node that does not
 * answer costs only its own keys; each master has its own breaker, found through the slot map.
 */
final class ClusterServers extends RedisServers {

	private static final String CONSEQUENCE = "calls for its slots are misses";

	private final RedisClusterClient client;

	private final Connector<StatefulRedisClusterConnection<byte[], byte[]>> connector;

	private final RedisOptions options;

	private final ServerLog log;

	/** Stands for the whole cluster while no connection was made, and for commands that span it. */
	private final Server cluster;

	private final Map<String, Server> nodes = new ConcurrentHashMap<>();

	private volatile Target whole;

	/**
	 * Connect to the cluster, waiting at most the connect timeout for the first attempt.
	 * @param seeds the seed nodes
	 * @param options the options
	 * @param resources the cache's Lettuce resources
	 * @param log the cache's outage log
	 */
	ClusterServers(List<RedisURI> seeds, RedisOptions options, ClientResources resources, ServerLog log) {
		this.options = options;
		this.log = log;
		this.cluster = new Server(String.join(",", seeds.stream().map(RedisLocation::name).toList()), "cluster",
				"calls are misses", options.getTimeoutThreshold(), options.getReconnectDelay(), log);
		this.whole = new Target(this.cluster, null, null);
		this.client = RedisClusterClient.create(resources, seeds);
		this.client.setOptions(LettuceSettings.cluster(options));
		// No connection listener: Lettuce's topology refreshes open and close connections of their own all the time.
		// A node whose connection is down rejects its commands, and its breaker logs it down and back.
		// Lettuce connects only once it knows the slot map: load it from the seeds first (again on each attempt).
		this.connector = new Connector<>(() -> this.client.refreshPartitionsAsync()
			.thenCompose((loaded) -> this.client.connectAsync(BoundedByteArrayCodec.INSTANCE)),
				resources.eventExecutorGroup(), options.getReconnectDelay(), (connection) -> {
					this.whole = new Target(this.cluster, connection.async(), connection);
					this.cluster.connected();
				}, (ex) -> this.cluster.disconnected("cannot connect: " + ex.getMessage()));
		this.connector.start();
		this.connector.awaitFirstAttempt(options.getConnectTimeout());
	}

	private Server node(String name) {
		return this.nodes.computeIfAbsent(name, (key) -> new Server(key, "cluster node", CONSEQUENCE,
				this.options.getTimeoutThreshold(), this.options.getReconnectDelay(), this.log));
	}

	/**
	 * The target for a slot: the cluster connection, which routes by key, and the breaker of the master that holds
	 * the slot.
	 */
	private Target slot(int slot) {
		Target whole = this.whole;
		StatefulRedisClusterConnection<byte[], byte[]> connection = this.connector.connection();
		if (connection == null) {
			return whole;
		}
		RedisClusterNode owner = connection.getPartitions().getPartitionBySlot(slot);
		if (owner == null || owner.getUri() == null) {
			// An uncovered slot: Lettuce refreshes the map and answers (or fails) by itself.
			return whole;
		}
		return new Target(node(RedisLocation.name(owner.getUri())), whole.commands(), whole.connection());
	}

	@Override
	Target read(byte[] key) {
		return slot(SlotHash.getSlot(key));
	}

	@Override
	Target write(byte[] key) {
		return slot(SlotHash.getSlot(key));
	}

	@Override
	List<Batch> batches(List<byte[]> keys, boolean write) {
		Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
		for (int i = 0; i < keys.size(); i++) {
			bySlot.computeIfAbsent(SlotHash.getSlot(keys.get(i)), (slot) -> new ArrayList<>()).add(i);
		}
		List<Batch> batches = new ArrayList<>(bySlot.size());
		bySlot.forEach((slot, positions) -> batches
			.add(new Batch(slot(slot), positions.stream().mapToInt(Integer::intValue).toArray())));
		return batches;
	}

	@Override
	Target whole() {
		return this.whole;
	}

	@Override
	List<Target> servers(long deadline) {
		StatefulRedisClusterConnection<byte[], byte[]> connection = this.connector.connection();
		if (connection == null) {
			return List.of(this.whole);
		}
		// Every node's connection asked for first, then awaited: one hung node does not use up the others' time.
		List<RedisClusterNode> nodes = new ArrayList<>(connection.getPartitions().getPartitions());
		List<CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> connections = new ArrayList<>();
		for (RedisClusterNode node : nodes) {
			connections.add(connection.getConnectionAsync(node.getNodeId()));
		}
		List<Target> servers = new ArrayList<>();
		for (int i = 0; i < nodes.size(); i++) {
			Server server = node(RedisLocation.name(nodes.get(i).getUri()));
			StatefulRedisConnection<byte[], byte[]> nodeConnection = null;
			try {
				nodeConnection = connections.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException | TimeoutException ex) {
				// Reported as not connected.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			servers.add((nodeConnection != null) ? new Target(server, nodeConnection.async(), nodeConnection)
					: new Target(server, null, null));
		}
		return servers;
	}

	/**
	 * Whether a server is a master in the current slot map.
	 * @param server the server's name
	 * @return whether it is a master
	 */
	boolean isMaster(String server) {
		StatefulRedisClusterConnection<byte[], byte[]> connection = this.connector.connection();
		if (connection == null) {
			return false;
		}
		for (RedisClusterNode node : connection.getPartitions()) {
			if (RedisLocation.name(node.getUri()).equals(server)) {
				return node.is(RedisClusterNode.NodeFlag.UPSTREAM);
			}
		}
		return false;
	}

	@Override
	boolean isCluster() {
		return true;
	}

	@Override
	public void close() {
		this.connector.close();
		this.client.shutdown(Duration.ZERO, this.options.getConnectTimeout());
	}

}
