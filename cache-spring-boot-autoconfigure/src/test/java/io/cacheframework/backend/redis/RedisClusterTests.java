package io.cacheframework.backend.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is particular to a Redis Cluster ({@code options.cluster: true}, a three-master cluster of its own): multi-key
 * calls are split by hash slot, one {@code MGET} per slot, and merged back in the caller's order; a slot that moves to
 * another master is followed; a master that hangs costs only its own keys; health lists every master.
 */
class RedisClusterTests {

	private static RedisTestCluster cluster;

	private RedisCacheBackend cache;

	@BeforeAll
	static void startCluster() {
		cluster = RedisTestCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@AfterEach
	void closeCache() {
		if (this.cache != null) {
			this.cache.clear();
			this.cache.close();
		}
	}

	private RedisCacheBackend cache(RedisOptions options) {
		options.setCluster(true);
		this.cache = new RedisCacheBackend(CacheSettings.builder("cluster").location(cluster.location()).build(),
				options, new DefaultValueSerializer());
		return this.cache;
	}

	@Test
	void getManyIsOneMgetPerSlotMergedInTheCallersOrder() {
		RedisCacheBackend cache = cache(new RedisOptions());
		List<String> keys = new ArrayList<>();
		Map<String, Object> values = new LinkedHashMap<>();
		for (int i = 0; i < 40; i++) {
			keys.add("k" + i);
			values.put("k" + i, "v" + i);
		}
		// Two keys of one slot (a hash tag), so that one MGET takes more than one key.
		keys.add("{tag}a");
		keys.add("{tag}b");
		values.put("{tag}a", "ta");
		values.put("{tag}b", "tb");
		assertThat(cache.setMany(values)).isEmpty();
		Set<Integer> masters = new LinkedHashSet<>();
		for (String key : keys) {
			masters.add(cluster.owner(cache.makeKey(key)).port());
		}
		assertThat(masters).as("keys on every master").hasSize(3);
		long mgets = mgetCalls();
		List<String> asked = new ArrayList<>(keys);
		asked.add(5, "missing");
		java.util.Collections.reverse(asked);
		Set<Integer> slots = new LinkedHashSet<>();
		for (String key : asked) {
			slots.add(SlotHash.getSlot(cache.makeKey(key).getBytes(StandardCharsets.UTF_8)));
		}
		assertThat(slots.size()).isLessThan(asked.size());
		Map<String, Object> found = cache.getMany(asked);
		assertThat(mgetCalls() - mgets).isEqualTo(slots.size());
		List<String> expectedOrder = new ArrayList<>(asked);
		expectedOrder.remove("missing");
		assertThat(new ArrayList<>(found.keySet())).isEqualTo(expectedOrder);
		found.forEach((key, value) -> assertThat(value).isEqualTo(values.get(key)));
		cache.deleteMany(keys);
		assertThat(cache.getMany(keys)).isEmpty();
	}

	@Test
	void aSlotThatMovesToAnotherMasterIsFollowed() {
		RedisCacheBackend cache = cache(new RedisOptions());
		String made = cache.makeKey("moving");
		cache.set("moving", "before");
		assertThat(cache.get("moving")).isEqualTo("before");
		cache.delete("moving");
		RedisServer from = cluster.owner(made);
		RedisServer to = cluster.nodes().stream().filter((node) -> node != from).findFirst().orElseThrow();
		int slot = SlotHash.getSlot(made);
		String toId = to.raw().clusterMyId();
		to.raw().clusterSetSlotImporting(slot, from.raw().clusterMyId());
		from.raw().clusterSetSlotMigrating(slot, toId);
		for (RedisServer node : cluster.nodes()) {
			node.raw().clusterSetSlotNode(slot, toId);
		}
		// The backend still thinks the slot is on "from": Redis answers MOVED, Lettuce follows it.
		cache.set("moving", "after");
		assertThat(cache.get("moving")).isEqualTo("after");
		assertThat(to.raw().clusterCountKeysInSlot(slot)).isEqualTo(1);
		assertThat(from.raw().clusterCountKeysInSlot(slot)).isZero();
	}

	@Test
	void aHungMasterCostsOnlyItsOwnKeys() {
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(Duration.ofMillis(250));
		options.setReconnectDelay(Duration.ofSeconds(1));
		options.setTimeoutThreshold(2);
		RedisCacheBackend cache = cache(options);
		Map<String, Object> values = new LinkedHashMap<>();
		for (int i = 0; i < 30; i++) {
			values.put("h" + i, "v" + i);
		}
		cache.setMany(values);
		RedisServer hung = cluster.owner(cache.makeKey("h0"));
		List<String> others = values.keySet().stream().filter((key) -> cluster.owner(cache.makeKey(key)) != hung)
			.toList();
		assertThat(others).isNotEmpty();
		hung.pause();
		try {
			for (int round = 0; round < 10; round++) {
				long start = System.nanoTime();
				Map<String, Object> found = cache.getMany(values.keySet());
				long millis = (System.nanoTime() - start) / 1_000_000;
				assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(others);
				assertThat(millis).isLessThanOrEqualTo(RedisServerFaultTests.BOUND_MILLIS);
				assertThat(cache.get("h0")).isNull();
				assertThat(cache.get(others.get(0))).isEqualTo(values.get(others.get(0)));
			}
			List<ComponentHealth> health = cache.checkHealth();
			assertThat(health).hasSize(3);
			assertThat(health).filteredOn(ComponentHealth::up).hasSize(2);
			assertThat(health).filteredOn((component) -> !component.up())
				.singleElement()
				.satisfies((component) -> assertThat(component.component()).isEqualTo(hung.address()));
		}
		finally {
			hung.resume();
		}
		assertThat(RedisServer.awaitValue(() -> cache.get("h0"))).isEqualTo("v0");
	}

	@Test
	void healthListsEveryMasterWithItsRole() {
		RedisCacheBackend cache = cache(new RedisOptions());
		assertThat(cache.checkHealth()).hasSize(3).allSatisfy((component) -> {
			assertThat(component.up()).isTrue();
			assertThat(component.details()).containsEntry("role", "master");
		});
		cache.set("counted", 1);
		assertThat(cache.entryCount()).isPositive();
		assertThat(cache.inspectKeys(10)).extracting((key) -> key.key()).contains(":1:counted");
	}

	@Test
	void clearWithAKeyPrefixScansEveryMasterAndLeavesOtherKeys() {
		RedisCacheBackend unprefixed = cache(new RedisOptions());
		RedisOptions options = new RedisOptions();
		options.setCluster(true);
		try (RedisCacheBackend prefixed = new RedisCacheBackend(CacheSettings.builder("prefixed")
			.location(cluster.location())
			.keyPrefix("app*1")
			.build(), options, new DefaultValueSerializer())) {
			Map<String, Object> values = new LinkedHashMap<>();
			for (int i = 0; i < 30; i++) {
				values.put("p" + i, i);
			}
			prefixed.setMany(values);
			unprefixed.setMany(values);
			prefixed.clear();
			assertThat(prefixed.getMany(values.keySet())).isEmpty();
			assertThat(unprefixed.getMany(values.keySet())).hasSize(30);
		}
	}

	private static long mgetCalls() {
		long calls = 0;
		Pattern pattern = Pattern.compile("cmdstat_mget:calls=(\\d+)");
		for (RedisServer node : cluster.nodes()) {
			Matcher matcher = pattern.matcher(node.info("commandstats"));
			if (matcher.find()) {
				calls += Long.parseLong(matcher.group(1));
			}
		}
		return calls;
	}

}
