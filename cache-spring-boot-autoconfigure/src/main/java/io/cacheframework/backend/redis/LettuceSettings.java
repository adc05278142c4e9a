package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

/**
 * Lettuce configured for a cache. Lettuce's defaults suit a database, not a cache: while a connection is down it
 * queues every command until the server is back (a request thread would wait, and a flood of stale writes would
 * follow), commands have no timeout of their own, and reconnect attempts back off to 30 s. Here commands are rejected
 * at once while disconnected, every command has the operation timeout, reconnects are at most
 * {@code reconnect-delay} apart, and a cluster follows slots that move (MOVED/ASK, and a topology refresh on them and
 * every 30 s).
 */
final class LettuceSettings {

	/** Commands one connection may have in flight; more fail at once instead of growing without bound. */
	static final int REQUEST_QUEUE_SIZE = 65_536;

	private static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);

	private LettuceSettings() {
	}

	/**
	 * Threads and timers of one cache's clients, its own so that closing the cache frees them.
	 * @param options the options
	 * @return the resources
	 */
	static ClientResources resources(RedisOptions options) {
		Duration max = options.getReconnectDelay();
		Duration min = (max.compareTo(Duration.ofMillis(100)) < 0) ? max : Duration.ofMillis(100);
		// 100, 200, 400 ... ms, up to reconnect-delay.
		return DefaultClientResources.builder()
			.reconnectDelay(Delay.exponential(min, max, 2, TimeUnit.MILLISECONDS))
			.build();
	}

	/**
	 * Options of a client of one server (a primary or a replica).
	 * @param options the options
	 * @return the client options
	 */
	static ClientOptions client(RedisOptions options) {
		return ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.requestQueueSize(REQUEST_QUEUE_SIZE)
			.timeoutOptions(timeouts(options))
			.socketOptions(sockets(options))
			.build();
	}

	/**
	 * Options of a Redis Cluster client.
	 * @param options the options
	 * @return the client options
	 */
	static ClusterClientOptions cluster(RedisOptions options) {
		return ClusterClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.requestQueueSize(REQUEST_QUEUE_SIZE)
			.timeoutOptions(timeouts(options))
			.socketOptions(sockets(options))
			.maxRedirects(5)
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
				.enableAllAdaptiveRefreshTriggers()
				.adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
				.build())
			.build();
	}

	private static TimeoutOptions timeouts(RedisOptions options) {
		return TimeoutOptions.builder().fixedTimeout(options.getOperationTimeout()).build();
	}

	private static SocketOptions sockets(RedisOptions options) {
		return SocketOptions.builder().connectTimeout(options.getConnectTimeout()).keepAlive(true).build();
	}

}
