package io.cacheframework.backend.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-master Redis Cluster of this test's own: three {@code redis-server --cluster-enabled yes} on free loopback
 * ports, joined with {@code redis-cli --cluster create ... --cluster-yes}, ready (every node says
 * {@code cluster_state:ok}) before this returns.
 */
final class RedisTestCluster implements AutoCloseable {

	private final List<RedisServer> nodes = new ArrayList<>();

	private RedisTestCluster() {
	}

	static RedisTestCluster start() {
		RedisTestCluster cluster = new RedisTestCluster();
		try {
			for (int i = 0; i < 3; i++) {
				cluster.nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
						"--cluster-node-timeout", "2000"));
			}
			List<String> command = new ArrayList<>(List.of(RedisServer.binary("redis-cli"), "--cluster", "create"));
			cluster.nodes.forEach((node) -> command.add("127.0.0.1:" + node.port()));
			command.add("--cluster-yes");
			Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
				throw new AssertionError("redis-cli --cluster create failed: " + output);
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			for (RedisServer node : cluster.nodes) {
				while (!node.raw().clusterInfo().contains("cluster_state:ok")) {
					if (System.nanoTime() > deadline) {
						throw new AssertionError("cluster never became ok: " + node.raw().clusterInfo());
					}
					RedisServer.sleep(50);
				}
			}
			return cluster;
		}
		catch (IOException | InterruptedException | RuntimeException | AssertionError ex) {
			cluster.close();
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			throw (ex instanceof AssertionError error) ? error : new AssertionError(ex);
		}
	}

	/** The seed nodes, as a location. */
	String location() {
		return String.join(",", this.nodes.stream().map((node) -> "redis://127.0.0.1:" + node.port()).toList());
	}

	List<RedisServer> nodes() {
		return this.nodes;
	}

	/** The node that holds a key's slot. */
	RedisServer owner(String key) {
		int slot = io.lettuce.core.cluster.SlotHash.getSlot(key);
		for (RedisServer node : this.nodes) {
			if (node.raw().clusterCountKeysInSlot(slot) >= 0 && ownsSlot(node, slot)) {
				return node;
			}
		}
		throw new AssertionError("no node owns slot " + slot);
	}

	private static boolean ownsSlot(RedisServer node, int slot) {
		String myself = node.raw().clusterMyId();
		for (Object range : node.raw().clusterSlots()) {
			List<?> parts = (List<?>) range;
			long from = (Long) parts.get(0);
			long to = (Long) parts.get(1);
			List<?> master = (List<?>) parts.get(2);
			String id = (master.size() > 2) ? asString(master.get(2)) : "";
			if (slot >= from && slot <= to) {
				return myself.equals(id);
			}
		}
		return false;
	}

	private static String asString(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

	@Override
	public void close() {
		this.nodes.forEach(RedisServer::close);
	}

}
