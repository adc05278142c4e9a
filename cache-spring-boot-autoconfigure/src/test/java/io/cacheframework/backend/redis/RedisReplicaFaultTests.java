package io.cacheframework.backend.redis;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.cacheframework.core.CacheInspection.ComponentHealth;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica that is down or hung is left out of reads: reads go on, from the primary, without exceptions and without
 * waiting, and go back to the replica once it is back. Timing as {@link RedisServerFaultTests}: operation timeout
 * 250 ms, every call back within 500 ms.
 */
class RedisReplicaFaultTests {

	private static final List<String> KEYS = IntStream.range(0, 30).mapToObj((i) -> "key" + i).toList();

	@Test
	void killedReplicaIsSkippedForReadsAndUsedAgainOnceBack() {
		try (RedisServer primary = RedisServer.start(); RedisServer replica = RedisServer.startReplicaOf(primary);
				RedisCacheBackend cache = RedisServerFaultTests.cache(primary.location() + ";" + replica.location())) {
			KEYS.forEach((key) -> cache.set(key, FaultCallers.value(key)));
			awaitReplicated(replica, KEYS.size());
			replica.kill();
			// A read sent in the instant before the closed connection is noticed is a miss; then none is.
			long deadline = System.nanoTime() + 5_000_000_000L;
			while (cache.checkHealth().get(1).up() && System.nanoTime() < deadline) {
				RedisServer.sleep(5);
			}
			assertReadsStillHit(cache);
			long primaryHits = hits(primary);
			for (int i = 0; i < 50; i++) {
				assertThat(cache.get("key1")).isEqualTo("v-key1");
			}
			assertThat(hits(primary) - primaryHits).isGreaterThanOrEqualTo(50);
			assertThat(cache.checkHealth()).extracting(ComponentHealth::component, ComponentHealth::up)
				.containsExactly(org.assertj.core.groups.Tuple.tuple(primary.address(), true),
						org.assertj.core.groups.Tuple.tuple(replica.address(), false));
			replica.restart();
			awaitReplicated(replica, KEYS.size());
			assertThat(RedisServer.awaitValue(() -> (hits(replica) > 0) ? Boolean.TRUE : readOnce(cache)))
				.isEqualTo(Boolean.TRUE);
		}
	}

	@Test
	void hungReplicaIsSkippedForReadsAfterAFewTimeouts() {
		try (RedisServer primary = RedisServer.start(); RedisServer replica = RedisServer.startReplicaOf(primary);
				RedisCacheBackend cache = RedisServerFaultTests.cache(primary.location() + "," + replica.location())) {
			KEYS.forEach((key) -> cache.set(key, FaultCallers.value(key)));
			awaitReplicated(replica, KEYS.size());
			replica.pause();
			try (FaultCallers callers = new FaultCallers(cache, 8, KEYS)) {
				RedisServer.sleep(2000);
				long hitsBefore = callers.hits();
				RedisServer.sleep(1000);
				assertThat(callers.hits() - hitsBefore).as("hits from the primary while the replica hangs").isPositive();
				assertThat(callers.failures()).isEmpty();
				assertThat(callers.wrongValues()).isEmpty();
				assertThat(callers.maxMillis()).isLessThanOrEqualTo(RedisServerFaultTests.BOUND_MILLIS);
				assertThat(callers.slowCalls()).isLessThanOrEqualTo(8 + 2 * 2);
			}
			finally {
				replica.resume();
			}
		}
	}

	private static Object readOnce(RedisCacheBackend cache) {
		cache.get("key2");
		return null;
	}

	private static void assertReadsStillHit(RedisCacheBackend cache) {
		for (int round = 0; round < 20; round++) {
			long start = System.nanoTime();
			for (String key : KEYS) {
				assertThat(cache.get(key)).isEqualTo(FaultCallers.value(key));
			}
			assertThat(cache.getMany(KEYS)).hasSize(KEYS.size());
			assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(RedisServerFaultTests.BOUND_MILLIS);
		}
	}

	private static void awaitReplicated(RedisServer replica, int keys) {
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (replica.raw().dbsize() < keys) {
			assertThat(System.nanoTime()).as("replica caught up").isLessThan(deadline);
			RedisServer.sleep(20);
		}
	}

	private static long hits(RedisServer server) {
		Matcher matcher = Pattern.compile("keyspace_hits:(\\d+)").matcher(server.info("stats"));
		assertThat(matcher.find()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

}
