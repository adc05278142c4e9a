package io.cacheframework.backend.memcached;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that are down, come back, or hang: calls are misses, fast, and nothing leaks. Slow calls are counted,
 * never timed one by one.
 */
class MemcachedOutageTests {

	private static final long SLOW_NANOS = Duration.ofMillis(100).toNanos();

	private static MemcachedCacheBackend cache(String location, MemcachedOptions options) {
		return new MemcachedCacheBackend(CacheSettings.builder("outage").location(location).build(), options,
				new DefaultValueSerializer());
	}

	@Test
	void callsForAnUnreachableServerAreFastMisses() {
		int port = MemcachedServer.freePort();
		try (MemcachedCacheBackend cache = cache("127.0.0.1:" + port, new MemcachedOptions())) {
			int slow = 0;
			for (int i = 0; i < 200; i++) {
				long start = System.nanoTime();
				cache.set("key" + i, i);
				assertThat(cache.get("key" + i)).isNull();
				assertThat(cache.getMany(List.of("a", "b"))).isEmpty();
				assertThat(cache.add("key" + i, 1)).isFalse();
				assertThat(cache.delete("key" + i)).isFalse();
				if (System.nanoTime() - start > SLOW_NANOS) {
					slow++;
				}
			}
			// Five calls per round against a 500 ms operation timeout: one waiting call would make a round slow.
			assertThat(slow).isLessThanOrEqualTo(2);
			assertThat(cache.statistics().errors()).isGreaterThanOrEqualTo(800);
			assertThat(cache.servers().values()).allSatisfy((server) -> assertThat(server.alive()).isFalse());
		}
	}

	@Test
	void serverDownAtStartupIsUsedOnceItStarts() {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		int port = MemcachedServer.freePort();
		try (MemcachedCacheBackend cache = cache("127.0.0.1:" + port, options)) {
			cache.set("before", 1);
			assertThat(cache.get("before")).isNull();
			try (MemcachedServer server = MemcachedServer.startOnPort(port)) {
				assertThat(MemcachedClusterTests.awaitAlive(cache, server.address(), true)).isTrue();
				cache.set("after", 1);
				assertThat(cache.get("after")).isEqualTo(1);
			}
		}
	}

	@Test
	void hungServerIsDetectedWithinAFewTimeoutsAndUsedAgainAfterItResumes() throws Exception {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setOperationTimeout(Duration.ofMillis(200));
		try (MemcachedServer server = MemcachedServer.start();
				MemcachedCacheBackend cache = cache(server.location(), options)) {
			cache.set("key", "value");
			assertThat(cache.get("key")).isEqualTo("value");
			server.pause();
			int slow = 0;
			for (int i = 0; i < 40; i++) {
				long start = System.nanoTime();
				assertThat(cache.get("key")).isNull();
				if (System.nanoTime() - start > SLOW_NANOS) {
					slow++;
				}
			}
			// timeout-threshold is 3: a few slow calls, then misses at once (spymemcached alone: 998).
			assertThat(slow).isBetween(3, 5);
			assertThat(cache.servers().get(server.address()).alive()).isFalse();
			server.resume();
			assertThat(MemcachedServer.awaitValue(() -> cache.get("key"))).isEqualTo("value");
		}
	}

	@Test
	void withFlushAfterOutageAHungServerCannotServeStaleValues() throws Exception {
		for (boolean unix : new boolean[] { false, true }) {
			MemcachedOptions options = MemcachedClusterTests.fastOptions();
			options.setOperationTimeout(Duration.ofMillis(200));
			options.setFlushAfterOutage(true);
			try (MemcachedServer server = unix ? MemcachedServer.startUnix() : MemcachedServer.start();
					MemcachedCacheBackend cache = cache(server.location(), options)) {
				cache.set("k", "v1");
				cache.set("j", "kept?");
				server.pause();
				for (int i = 0; i < 5; i++) {
					// Timeouts: the server counts as hung.
					cache.get("other");
				}
				// Refused at once, never sent: without the flush, "v1" and "kept?" would come back after the resume.
				cache.set("k", "v2");
				cache.delete("j");
				server.resume();
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (!cache.servers().get(server.address()).alive() && System.nanoTime() < deadline) {
					MemcachedServer.sleep(50);
				}
				MemcachedServer.sleep(1200);
				Object k = cache.get("k");
				assertThat(k).as("unix=" + unix).isIn(null, "v2");
				assertThat(cache.get("j")).as("unix=" + unix).isNull();
				cache.set("k", "v3");
				assertThat(cache.get("k")).isEqualTo("v3");
			}
		}
	}

	/**
	 * With flush-after-outage, the server that comes back is flushed by one caller while the others are refused,
	 * however many reach it at once: memcached's own {@code cmd_flush} counts one {@code flush_all} for the outage,
	 * over TCP and over a unix socket (whose client used to let every caller flush). Eight callers; the server is
	 * killed for 1.5 s (calls for it fail at once, nothing is sent) and started again empty.
	 */
	@ParameterizedTest(name = "unix socket: {0}")
	@ValueSource(booleans = { false, true })
	void afterAnOutageOneCallerFlushesTheServer(boolean unix) throws Exception {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setOperationTimeout(Duration.ofMillis(200));
		options.setFlushAfterOutage(true);
		List<String> keys = IntStream.range(0, 20).mapToObj((i) -> "key" + i).toList();
		try (MemcachedServer server = unix ? MemcachedServer.startUnix() : MemcachedServer.start();
				MemcachedCacheBackend cache = cache(server.location(), options)) {
			try (Callers callers = new Callers(cache, 8, keys)) {
				assertThat(callers.awaitHits(20, 2000)).isTrue();
				server.kill();
				MemcachedServer.sleep(1500);
				server.restart();
				assertThat(callers.awaitHits(20, 5000)).as("hits after the restart").isTrue();
				assertThat(callers.failures()).isEmpty();
				assertThat(callers.wrongValues()).isEmpty();
			}
			assertThat(server.stat("cmd_flush")).as("flush_all after the outage").isEqualTo(1);
		}
	}

	@Test
	void closingReleasesThreadsAndFileDescriptors() throws Exception {
		try (MemcachedServer server = MemcachedServer.start()) {
			String location = server.location() + ";127.0.0.1:" + MemcachedServer.freePort();
			// Warm up class loading and spymemcached's static state first.
			cache(location, MemcachedClusterTests.fastOptions()).close();
			int threadsBefore = Thread.activeCount();
			int fdsBefore = openFiles();
			for (int i = 0; i < 20; i++) {
				MemcachedCacheBackend cache = cache(location, MemcachedClusterTests.fastOptions());
				cache.set("key", i);
				cache.get("key");
				cache.close();
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (System.nanoTime() < deadline
					&& (Thread.activeCount() > threadsBefore + 2 || openFiles() > fdsBefore + 5)) {
				MemcachedServer.sleep(50);
			}
			assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 2);
			assertThat(openFiles()).isLessThanOrEqualTo(fdsBefore + 5);
			assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
				.filter((name) -> name.startsWith("Memcached IO"))).isEmpty();
		}
	}

	private static int openFiles() {
		String[] fds = new File("/proc/self/fd").list();
		return (fds != null) ? fds.length : 0;
	}

	@Test
	void statusOfADeadServerIsReportedWithoutWaiting() {
		try (MemcachedServer server = MemcachedServer.start();
				MemcachedCacheBackend cache = cache(server.location() + ",127.0.0.1:" + MemcachedServer.freePort(),
						MemcachedClusterTests.fastOptions())) {
			Map<String, MemcachedCacheBackend.ServerStatus> status = cache.servers();
			assertThat(status.get(server.address()).alive()).isTrue();
			assertThat(status.get(server.address()).stat("uptime")).isGreaterThanOrEqualTo(0);
			assertThat(status.values().stream().filter((s) -> !s.alive()).count()).isEqualTo(1);
		}
	}

}
