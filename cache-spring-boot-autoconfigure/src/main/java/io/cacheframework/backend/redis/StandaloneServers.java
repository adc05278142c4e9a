package io.cacheframework.backend.redis;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;

/**
 * Django's servers for {@code RedisCache}: the first location is the primary and takes every write; a read goes to
 * a random one of the others (replicas), or to the primary when it is alone. Better than Django, a replica that is not
 * connected or not answering is skipped for reads, and when no replica is left, reads go to the primary.
 *
 * <p>Each server has one connection, shared by every caller (Lettuce pipelines their commands on it), made in the
 * background ({@link Connector}) and kept up by Lettuce.
 */
final class StandaloneServers extends RedisServers {

	private final Node primary;

	private final Node[] replicas;

	private final List<Node> all = new ArrayList<>();

	/**
	 * Connect to the servers, waiting at most the connect timeout for the first attempts.
	 * @param uris the primary, then its replicas
	 * @param options the options
	 * @param resources the cache's Lettuce resources
	 * @param log the cache's outage log
	 */
	StandaloneServers(List<RedisURI> uris, RedisOptions options, ClientResources resources, ServerLog log) {
		String readers = (uris.size() > 1) ? "reads go to the other servers" : "calls are misses";
		this.primary = new Node(uris.get(0), "primary", "writes are misses and " + readers, options, resources, log);
		this.all.add(this.primary);
		this.replicas = new Node[uris.size() - 1];
		for (int i = 1; i < uris.size(); i++) {
			this.replicas[i - 1] = new Node(uris.get(i), "replica", "reads go to the other servers", options,
					resources, log);
			this.all.add(this.replicas[i - 1]);
		}
		// All attempts at once, so that startup waits the connect timeout once, not once per server.
		this.all.forEach(Node::startConnecting);
		this.all.forEach((node) -> node.awaitFirstAttempt(options.getConnectTimeout()));
	}

	@Override
	Target read(byte[] key) {
		return reader();
	}

	private Target reader() {
		int count = this.replicas.length;
		if (count > 0) {
			int first = ThreadLocalRandom.current().nextInt(count);
			for (int i = 0; i < count; i++) {
				Node replica = this.replicas[(first + i) % count];
				if (replica.isUsable()) {
					return replica.target;
				}
			}
		}
		return this.primary.target;
	}

	@Override
	Target write(byte[] key) {
		return this.primary.target;
	}

	@Override
	List<Batch> batches(List<byte[]> keys, boolean write) {
		int[] positions = new int[keys.size()];
		for (int i = 0; i < positions.length; i++) {
			positions[i] = i;
		}
		return List.of(new Batch(write ? this.primary.target : reader(), positions));
	}

	@Override
	Target whole() {
		return this.primary.target;
	}

	@Override
	List<Target> servers(long deadline) {
		return this.all.stream().map((node) -> node.target).toList();
	}

	@Override
	boolean isCluster() {
		return false;
	}

	@Override
	public void close() {
		this.all.forEach(Node::close);
	}

	/**
	 * One server: its client, its connection once made, and how it is doing.
	 */
	private static final class Node {

		private final Server server;

		private final RedisClient client;

		private final Connector<StatefulRedisConnection<byte[], byte[]>> connector;

		private final Duration connectTimeout;

		/** Before the first connection: a target without commands, so that calls fail at once. */
		private volatile Target target;

		Node(RedisURI uri, String role, String consequence, RedisOptions options, ClientResources resources,
				ServerLog log) {
			this.server = new Server(RedisLocation.name(uri), role, consequence, options.getTimeoutThreshold(),
					options.getReconnectDelay(), log);
			this.target = new Target(this.server, null, null);
			this.connectTimeout = options.getConnectTimeout();
			this.client = RedisClient.create(resources);
			this.client.setOptions(LettuceSettings.client(options));
			this.client.addListener(new RedisConnectionStateListener() {

				@Override
				public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
					Node.this.server.connected();
				}

				@Override
				public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
					Node.this.server.disconnected("connection lost");
				}

			});
			this.connector = new Connector<>(() -> this.client.connectAsync(BoundedByteArrayCodec.INSTANCE, uri),
					resources.eventExecutorGroup(), options.getReconnectDelay(), (connection) -> {
						this.target = new Target(this.server, connection.async(), connection);
						this.server.connected();
					}, (ex) -> this.server.disconnected("cannot connect: " + ex.getMessage()));
		}

		void startConnecting() {
			this.connector.start();
		}

		void awaitFirstAttempt(Duration wait) {
			this.connector.awaitFirstAttempt(wait);
		}

		boolean isUsable() {
			return this.target.isConnected() && !this.server.isAvoided();
		}

		void close() {
			this.connector.close();
			this.client.shutdown(Duration.ZERO, this.connectTimeout);
		}

	}

}
