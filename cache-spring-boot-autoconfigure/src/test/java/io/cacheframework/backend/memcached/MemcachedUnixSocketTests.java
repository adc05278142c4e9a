package io.cacheframework.backend.memcached;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.cacheframework.core.AsyncCacheBackend;
import io.cacheframework.core.CacheExecutor;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * memcached on a unix domain socket, including after the memcached behind it restarts.
 */
class MemcachedUnixSocketTests {

	private static MemcachedCacheBackend cache(String location) {
		return new MemcachedCacheBackend(CacheSettings.builder("unix").location(location).build(),
				MemcachedClusterTests.fastOptions(), new DefaultValueSerializer());
	}

	/**
	 * Over unix sockets too, each distribution puts a key where its Python client does: the socket path is the
	 * node name pymemcache hashes, and the server libmemcached hashes with port 0.
	 */
	@ParameterizedTest
	@EnumSource(MemcachedOptions.Distribution.class)
	void eachDistributionPlacesKeysOverUnixSockets(MemcachedOptions.Distribution distribution) throws Exception {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setDistribution(distribution);
		try (MemcachedServer first = MemcachedServer.startUnix(); MemcachedServer second = MemcachedServer.startUnix();
				MemcachedServer third = MemcachedServer.startUnix();
				MemcachedCacheBackend cache = new MemcachedCacheBackend(CacheSettings.builder("unix")
					.location(first.location() + "," + second.location() + "," + third.location())
					.build(), options, new DefaultValueSerializer())) {
			List<MemcachedServer> servers = List.of(first, second, third);
			KeyPlacement placement = KeyPlacement.of(distribution,
					servers.stream().map(MemcachedServer::location).toList());
			int[] perServer = new int[3];
			for (int i = 0; i < 150; i++) {
				String key = cache.makeKey("key" + i);
				cache.set("key" + i, i);
				int expected = placement.serverFor(key);
				perServer[expected]++;
				assertThat(cache.serverFor(key)).isEqualTo(servers.get(expected).address());
				assertThat(servers.get(expected).rawGet(key).text()).isEqualTo(String.valueOf(i));
			}
			for (int count : perServer) {
				assertThat(count).isBetween(20, 90);
			}
		}
	}

	@Test
	void everyOperationWorksOverAUnixSocket() throws Exception {
		try (MemcachedServer server = MemcachedServer.startUnix(); MemcachedCacheBackend cache = cache(server.location())) {
			cache.set("username", "guyan");
			cache.set("answer", 42);
			assertThat(cache.get("username")).isEqualTo("guyan");
			assertThat(server.rawGet(":1:username").flags()).isEqualTo(16);
			assertThat(server.rawGet(":1:answer").text()).isEqualTo("42");
			assertThat(cache.incr("answer")).isEqualTo(43);
			assertThat(cache.decr("answer", 100)).isZero();
			assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("missing"))
				.withMessage("Key ':1:missing' not found");
			assertThat(cache.add("answer", 1)).isFalse();
			assertThat(cache.add("fresh", 1)).isTrue();
			assertThat(cache.touch("fresh", Timeout.NEVER)).isTrue();
			assertThat(cache.touch("missing")).isFalse();
			Map<String, Object> values = new LinkedHashMap<>();
			for (int i = 0; i < 250; i++) {
				values.put("k" + i, "v" + i);
			}
			values.put("huge", MemcachedBasicsTests.randomBytes(2 * 1024 * 1024));
			assertThat(cache.setMany(values)).containsExactly("huge");
			assertThat(cache.getMany(values.keySet())).hasSize(250).containsEntry("k249", "v249");
			cache.deleteMany(List.of("k1", "k2"));
			assertThat(cache.getMany(List.of("k1", "k2", "k3"))).containsOnlyKeys("k3");
			assertThat(cache.delete("k3")).isTrue();
			assertThat(cache.delete("k3")).isFalse();
			byte[] large = MemcachedBasicsTests.randomBytes(900_000);
			cache.set("large", large);
			assertThat(java.util.Arrays.equals((byte[]) cache.get("large"), large)).isTrue();
			assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.get("a b"));
			MemcachedCacheBackend.ServerStatus status = cache.servers().get(server.address());
			assertThat(status.alive()).isTrue();
			assertThat(status.stat("curr_items")).isPositive();
			assertThat(cache.serverFor(":1:x")).isEqualTo(server.address());
			cache.clear();
			assertThat(cache.get("username")).isNull();
			assertThat(cache.statistics().errors()).isZero();
		}
	}

	/**
	 * The unix-socket client has no futures of its own: its async calls run on the cache's bounded executor, never
	 * in the caller, and keep the blocking semantics.
	 */
	@Test
	void asyncCallsOverAUnixSocketRunOnTheExecutor() {
		CacheExecutor executor = new CacheExecutor(1, 10);
		try (MemcachedServer server = MemcachedServer.startUnix();
				MemcachedCacheBackend cache = new MemcachedCacheBackend(
						CacheSettings.builder("unix").location(server.location()).executor(executor).build(),
						MemcachedClusterTests.fastOptions(), new DefaultValueSerializer())) {
			AsyncCacheBackend async = cache.async();
			assertThat(async.set("username", "guyan")).succeedsWithin(Duration.ofSeconds(5));
			// The one executor thread busy: a call waits for it rather than running in the caller.
			CountDownLatch release = new CountDownLatch(1);
			executor.submit(() -> awaitQuietly(release));
			CompletableFuture<Object> pending = async.get("username");
			assertThat(pending).isNotDone();
			release.countDown();
			assertThat(pending).succeedsWithin(Duration.ofSeconds(5)).isEqualTo("guyan");
			assertThat(async.incr("missing")).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(NoSuchElementException.class);
			assertThat(cache.statistics().errors()).isZero();
		}
		finally {
			executor.close();
		}
	}

	private static boolean awaitQuietly(CountDownLatch latch) {
		try {
			return latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * 5,000 long keys: the requests (about 600 KB) and the replies (about 1 MB) are each larger than the socket
	 * buffers, so a client that writes every request before it reads a reply waits for memcached, which waits for
	 * it, until the timeout (and then counts the timeout against a healthy server). The timeout is 1 s here so that
	 * a loaded machine cannot make the test fail: a deadlock never ends, whatever the timeout.
	 */
	@Test
	void getManyOfThousandsOfKeysReturnsTheHits() {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setOperationTimeout(Duration.ofSeconds(1));
		try (MemcachedServer server = MemcachedServer.startUnix();
				MemcachedCacheBackend cache = new MemcachedCacheBackend(
						CacheSettings.builder("unix").location(server.location()).build(), options,
						new DefaultValueSerializer())) {
			Map<String, Object> values = new LinkedHashMap<>();
			for (int i = 0; i < 5000; i++) {
				values.put("a-rather-long-key-so-that-the-requests-of-a-large-multi-get-fill-the-socket-buffers-" + i,
						"value-" + i + "-" + "x".repeat(100));
			}
			values.forEach(cache::set);
			List<String> keys = new java.util.ArrayList<>(values.keySet());
			keys.add("missing");
			for (int round = 0; round < 3; round++) {
				assertThat(cache.getMany(keys)).isEqualTo(values);
			}
			// And the other way round: 5,000 sets pipelined on one connection (about 1.3 MB of requests).
			values.replaceAll((key, value) -> value + "-again");
			assertThat(cache.setMany(values)).isEmpty();
			assertThat(cache.getMany(keys)).isEqualTo(values);
			assertThat(cache.statistics().errors()).isZero();
			assertThat(cache.servers().get(server.address()).alive()).isTrue();
		}
	}

	@Test
	void worksAgainAfterTheMemcachedBehindTheSocketRestarts() {
		try (MemcachedServer server = MemcachedServer.startUnix(); MemcachedCacheBackend cache = cache(server.location())) {
			cache.set("key", "before");
			assertThat(cache.get("key")).isEqualTo("before");
			server.restart();
			assertThat(MemcachedServer.awaitValue(() -> {
				cache.set("key", "after");
				return cache.get("key");
			})).isEqualTo("after");
			// And again: no state left over from the first restart.
			server.kill();
			assertThat(cache.get("key")).isNull();
			server.restart();
			assertThat(MemcachedServer.awaitValue(() -> {
				cache.set("key", "again");
				return cache.get("key");
			})).isEqualTo("again");
		}
	}

	/**
	 * Two sockets, one killed: with {@code redistribute} the other takes its keys (but for the rare key whose seven
	 * tries all land on the dead one, and the one set that finds it down); with {@code cancel} its keys are misses
	 * until it is back. The unix client used to redistribute whatever the option said.
	 */
	@Test
	void theFailureModeDecidesWhereTheKeysOfADownSocketGo() {
		for (MemcachedOptions.FailureMode mode : List.of(MemcachedOptions.FailureMode.REDISTRIBUTE,
				MemcachedOptions.FailureMode.CANCEL)) {
			MemcachedOptions options = MemcachedClusterTests.fastOptions();
			options.setFailureMode(mode);
			try (MemcachedServer first = MemcachedServer.startUnix(); MemcachedServer second = MemcachedServer.startUnix();
					MemcachedCacheBackend cache = new MemcachedCacheBackend(CacheSettings.builder("unix")
						.location(first.location() + "," + second.location())
						.build(), options, new DefaultValueSerializer())) {
				second.kill();
				int onSecond = 0;
				int hits = 0;
				for (int i = 0; i < 200; i++) {
					onSecond += cache.serverFor(cache.makeKey("key" + i)).equals(second.address()) ? 1 : 0;
					cache.set("key" + i, i);
					hits += (cache.get("key" + i) != null) ? 1 : 0;
				}
				assertThat(onSecond).as("keys placed on the killed socket").isBetween(40, 160);
				if (mode == MemcachedOptions.FailureMode.CANCEL) {
					assertThat(hits).isEqualTo(200 - onSecond);
				}
				else {
					assertThat(hits).isGreaterThanOrEqualTo(195);
				}
				assertThat(cache.servers().get(second.address()).alive()).isFalse();
			}
		}
	}

	@Test
	void callsForAMissingSocketAreFastMisses() throws Exception {
		java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("memcached");
		try (MemcachedCacheBackend cache = cache("unix:" + dir.resolve("nothing.sock"))) {
			int slow = 0;
			for (int i = 0; i < 200; i++) {
				long start = System.nanoTime();
				cache.set("key", i);
				assertThat(cache.get("key")).isNull();
				assertThat(cache.getMany(List.of("a", "b"))).isEmpty();
				if (System.nanoTime() - start > Duration.ofMillis(100).toNanos()) {
					slow++;
				}
			}
			assertThat(slow).isLessThanOrEqualTo(2);
			assertThat(cache.servers().values()).allSatisfy((server) -> assertThat(server.alive()).isFalse());
		}
	}

	@Test
	void hungServerBehindTheSocketIsDetectedWithinAFewTimeouts() {
		try (MemcachedServer server = MemcachedServer.startUnix(); MemcachedCacheBackend cache = cache(server.location())) {
			cache.set("key", "value");
			server.pause();
			int slow = 0;
			for (int i = 0; i < 40; i++) {
				long start = System.nanoTime();
				assertThat(cache.get("key")).isNull();
				if (System.nanoTime() - start > Duration.ofMillis(100).toNanos()) {
					slow++;
				}
			}
			assertThat(slow).isBetween(3, 5);
			server.resume();
			assertThat(MemcachedServer.awaitValue(() -> cache.get("key"))).isEqualTo("value");
		}
	}

}
