package io.cacheframework.backend.memcached;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real memcached servers: each distribution's placement, a server killed under load, and its return.
 */
class MemcachedClusterTests {

	private final List<MemcachedServer> servers = new ArrayList<>();

	@BeforeEach
	void startServers() {
		for (int i = 0; i < 3; i++) {
			this.servers.add(MemcachedServer.start());
		}
	}

	@AfterEach
	void stopServers() {
		this.servers.forEach(MemcachedServer::close);
	}

	static MemcachedOptions fastOptions() {
		MemcachedOptions options = new MemcachedOptions();
		options.setOperationTimeout(Duration.ofMillis(300));
		options.setReconnectDelay(Duration.ofSeconds(1));
		options.setTimeoutThreshold(3);
		return options;
	}

	private MemcachedCacheBackend cache(List<MemcachedServer> servers) {
		return cache(servers, fastOptions());
	}

	private static MemcachedCacheBackend cache(List<MemcachedServer> servers, MemcachedOptions options) {
		String location = String.join(",", servers.stream().map(MemcachedServer::location).toList());
		return new MemcachedCacheBackend(CacheSettings.builder("cluster").location(location).build(), options,
				new DefaultValueSerializer());
	}

	private List<String> locations() {
		return this.servers.stream().map(MemcachedServer::location).toList();
	}

	/**
	 * Each distribution stores every key on the server its placement names (read back with a plain get on each
	 * server), and the inspection ({@code serverFor}) names the same server.
	 */
	@ParameterizedTest
	@EnumSource(MemcachedOptions.Distribution.class)
	void eachDistributionStoresEveryKeyWhereItsPlacementSays(MemcachedOptions.Distribution distribution)
			throws Exception {
		MemcachedOptions options = fastOptions();
		options.setDistribution(distribution);
		KeyPlacement placement = KeyPlacement.of(distribution, locations());
		int[] perServer = new int[3];
		try (MemcachedCacheBackend cache = cache(this.servers, options)) {
			for (int i = 0; i < 300; i++) {
				cache.set("key" + i, "value" + i);
			}
			for (int i = 0; i < 300; i++) {
				String key = cache.makeKey("key" + i);
				int expected = placement.serverFor(key);
				perServer[expected]++;
				assertThat(cache.serverFor(key)).isEqualTo(this.servers.get(expected).address());
				for (int s = 0; s < 3; s++) {
					MemcachedServer.Item item = this.servers.get(s).rawGet(key);
					if (s == expected) {
						assertThat(item).as("%s on server %d", key, s).isNotNull();
						assertThat(new String(item.data(), StandardCharsets.UTF_8)).isEqualTo("value" + i);
					}
					else {
						assertThat(item).as("%s on server %d", key, s).isNull();
					}
				}
			}
		}
		for (int count : perServer) {
			assertThat(count).isBetween(50, 150);
		}
	}

	/**
	 * With a server down and {@code failure-mode: redistribute}, a key of the down server goes where the
	 * distribution's Python client sends it once it has ejected the server: rendezvous and Ketama to the placement's
	 * live choice, every time; modula nowhere (a miss, a failed write), as libmemcached never moves a key.
	 */
	@ParameterizedTest
	@EnumSource(MemcachedOptions.Distribution.class)
	void aDownServersKeysGoWhereThePythonClientSendsThem(MemcachedOptions.Distribution distribution) throws Exception {
		MemcachedOptions options = fastOptions();
		options.setDistribution(distribution);
		KeyPlacement placement = KeyPlacement.of(distribution, locations());
		try (MemcachedCacheBackend cache = cache(this.servers, options)) {
			this.servers.get(1).kill();
			assertThat(awaitAlive(cache, this.servers.get(1).address(), false)).isTrue();
			int ofDown = 0;
			for (int i = 0; i < 300; i++) {
				String key = cache.makeKey("key" + i);
				cache.set("key" + i, "value" + i);
				int expected = placement.serverFor(key, (index) -> index != 1);
				if (placement.serverFor(key) == 1) {
					ofDown++;
				}
				if (expected < 0) {
					assertThat(distribution).isEqualTo(MemcachedOptions.Distribution.MODULA);
					assertThat(cache.get("key" + i)).isNull();
					assertThat(this.servers.get(0).rawGet(key)).isNull();
					assertThat(this.servers.get(2).rawGet(key)).isNull();
				}
				else {
					assertThat(cache.get("key" + i)).isEqualTo("value" + i);
					assertThat(this.servers.get(expected).rawGet(key)).isNotNull();
				}
			}
			assertThat(ofDown).isBetween(50, 150);
		}
	}

	@Test
	void keysAreSpreadOverAllServers() throws Exception {
		try (MemcachedCacheBackend cache = cache(this.servers)) {
			for (int i = 0; i < 900; i++) {
				cache.set("key" + i, i);
			}
			for (MemcachedServer server : this.servers) {
				// An even share is 300; rendezvous hashing stays well within this.
				assertThat(server.stat("curr_items")).isBetween(150L, 450L);
			}
			Map<String, MemcachedCacheBackend.ServerStatus> status = cache.servers();
			assertThat(status).hasSize(3);
			assertThat(status.values()).allSatisfy((server) -> assertThat(server.alive()).isTrue());
			assertThat(status.values().stream().mapToLong((server) -> server.stat("curr_items")).sum())
				.isEqualTo(900);
		}
	}

	@Test
	void removingOneOfThreeServersMovesAboutAThirdOfTheKeys() {
		try (MemcachedCacheBackend three = cache(this.servers);
				MemcachedCacheBackend two = cache(this.servers.subList(0, 2))) {
			String removed = this.servers.get(2).address();
			int moved = 0;
			int keys = 3000;
			for (int i = 0; i < keys; i++) {
				String key = three.makeKey("key" + i);
				String before = three.serverFor(key);
				String after = two.serverFor(key);
				if (!before.equals(after)) {
					moved++;
					// Only the removed server's keys move; every other key stays where it was.
					assertThat(before).isEqualTo(removed);
				}
				else {
					assertThat(before).isNotEqualTo(removed);
				}
			}
			assertThat(moved).isBetween(keys / 5, keys / 2);
		}
	}

	@Test
	void killingOneServerUnderLoadGivesNoExceptionsAndItsReturnRestoresHits() throws Exception {
		try (MemcachedCacheBackend cache = cache(this.servers)) {
			for (int i = 0; i < 1000; i++) {
				cache.set("key" + i, "value" + i);
			}
			ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicLong calls = new AtomicLong();
			AtomicLong wrongValues = new AtomicLong();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				Thread thread = new Thread(() -> {
					while (running.get()) {
						int i = ThreadLocalRandom.current().nextInt(1000);
						try {
							if (ThreadLocalRandom.current().nextInt(5) == 0) {
								cache.set("key" + i, "value" + i);
							}
							else {
								Object value = cache.get("key" + i);
								if (value != null && !value.equals("value" + i)) {
									wrongValues.incrementAndGet();
								}
							}
							calls.incrementAndGet();
						}
						catch (Throwable ex) {
							failures.add(ex);
						}
					}
				});
				thread.start();
				threads.add(thread);
			}
			MemcachedServer.sleep(500);
			MemcachedServer victim = this.servers.get(1);
			victim.kill();
			MemcachedServer.sleep(1500);
			long callsWhileDown = calls.get();
			// Every key is stored somewhere while the server is down: the others took its keys over.
			assertThat(awaitAlive(cache, victim.address(), false)).isTrue();
			int hits = 0;
			for (int i = 0; i < 300; i++) {
				cache.set("down" + i, i);
				hits += (cache.get("down" + i) != null) ? 1 : 0;
			}
			// Rendezvous: every key of the dead server has a best live server.
			assertThat(hits).isEqualTo(300);
			victim.restart();
			assertThat(awaitAlive(cache, victim.address(), true)).isTrue();
			MemcachedServer.sleep(300);
			running.set(false);
			for (Thread thread : threads) {
				thread.join();
			}
			assertThat(failures).isEmpty();
			assertThat(wrongValues.get()).isZero();
			assertThat(calls.get()).isGreaterThan(callsWhileDown);
			// Back: its keys map to it again, and they hit once set.
			for (int i = 0; i < 300; i++) {
				cache.set("back" + i, i);
			}
			hits = 0;
			for (int i = 0; i < 300; i++) {
				hits += (cache.get("back" + i) != null) ? 1 : 0;
			}
			assertThat(hits).isEqualTo(300);
			assertThat(victim.stat("curr_items")).isGreaterThan(30);
		}
	}

	@Test
	void getManyGivesPartialResultsWhenOneServerHangs() {
		try (MemcachedCacheBackend cache = cache(this.servers)) {
			List<String> keys = new ArrayList<>();
			for (int i = 0; i < 300; i++) {
				cache.set("key" + i, i);
				keys.add("key" + i);
			}
			long onPaused = keys.stream()
				.filter((key) -> cache.serverFor(cache.makeKey(key)).equals(this.servers.get(1).address()))
				.count();
			this.servers.get(1).pause();
			try {
				Map<String, Object> found = cache.getMany(keys);
				// Everything the two live servers hold, nothing of the hung one: never all-or-nothing.
				assertThat(found).hasSize((int) (300 - onPaused));
				assertThat(found).allSatisfy((key, value) -> assertThat(value).isEqualTo(Integer.valueOf(key.substring(3))));
			}
			finally {
				this.servers.get(1).resume();
			}
		}
	}

	@Test
	void oneServerDownAtStartupStillStoresEveryKey() {
		this.servers.get(2).kill();
		try (MemcachedCacheBackend cache = cache(this.servers)) {
			int hits = 0;
			for (int i = 0; i < 300; i++) {
				cache.set("key" + i, i);
				hits += (cache.get("key" + i) != null) ? 1 : 0;
			}
			// Rendezvous: every key of the dead server has a best live server.
			assertThat(hits).isEqualTo(300);
			assertThat(cache.servers().get(this.servers.get(2).address()).alive()).isFalse();
			assertThat(cache.getMany(List.of("key1", "key2", "key3"))).hasSize(3);
		}
	}

	static boolean awaitAlive(MemcachedCacheBackend cache, String address, boolean alive) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			if (cache.servers().get(address).alive() == alive) {
				return true;
			}
			MemcachedServer.sleep(50);
		}
		return false;
	}

}
