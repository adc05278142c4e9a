package io.cacheframework.backend.redis;

import java.util.List;

/**
 * Where each command goes, and the connections that take it there: a primary with its replicas
 * ({@link StandaloneServers}), or a Redis Cluster ({@link ClusterServers}).
 */
abstract class RedisServers implements AutoCloseable {

	/**
	 * Where a read of a key goes.
	 * @param key the key
	 * @return the target
	 */
	abstract Target read(byte[] key);

	/**
	 * Where a write of a key goes.
	 * @param key the key
	 * @return the target
	 */
	abstract Target write(byte[] key);

	/**
	 * Keys grouped so that one multi-key command can take each group: all of them on one server, one group per hash
	 * slot on a cluster.
	 * @param keys the keys
	 * @param write whether the command writes
	 * @return the groups, each with the positions of its keys in {@code keys}, in order
	 */
	abstract List<Batch> batches(List<byte[]> keys, boolean write);

	/**
	 * Where commands about the whole store go ({@code FLUSHDB}, {@code SCAN}, {@code DBSIZE}): the primary, or the
	 * cluster connection, which runs them on every master.
	 * @return the target
	 */
	abstract Target whole();

	/**
	 * Every server, each with a connection of its own, for health and statistics. Waits for cluster node connections
	 * until the deadline.
	 * @param deadline a {@link System#nanoTime()} deadline
	 * @return the servers, each as a target (unconnected ones without commands)
	 */
	abstract List<Target> servers(long deadline);

	/**
	 * Whether the servers form a Redis Cluster.
	 * @return whether they do
	 */
	abstract boolean isCluster();

	@Override
	public abstract void close();

	/**
	 * Keys that one command can take.
	 *
	 * @param target where the command goes
	 * @param positions the keys' positions in the caller's list, in order
	 */
	record Batch(Target target, int[] positions) {
	}

}
