package io.cacheframework.backend.memcached;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * memcached hosts whose names do not resolve when the application starts (RELIABILITY.md §7, A3): the backend
 * starts anyway, logs the bad host once and leaves it out (the other servers serve), calls stay fast, and the host
 * is used as soon as its name resolves, without a restart (as Django's pymemcache, which resolves lazily).
 *
 * <p>Limits: calls while a host does not resolve must be back within 50 ms (they never wait for it), at most two
 * exceptions allowed for a loaded machine; the name must be in use within 10 s of resolving (the backend resolves
 * again every {@code reconnect-delay}, 500 ms here; the JVM's cache of failed lookups is set to 0 s in the child,
 * production's default being 10 s).
 */
class MemcachedUnresolvableHostFaultTests {

	@Test
	void aLocationWhoseOnlyHostDoesNotResolveStartsAndMissesFast() {
		try (LogCapture log = LogCapture.of(MemcachedCacheBackend.class.getName())) {
			MemcachedOptions options = MemcachedClusterTests.fastOptions();
			try (MemcachedCacheBackend cache = new MemcachedCacheBackend(
					CacheSettings.builder("unresolved").location("nosuch.invalid:11211").build(), options,
					new DefaultValueSerializer())) {
				int slow = 0;
				for (int i = 0; i < 50; i++) {
					long start = System.nanoTime();
					cache.set("key" + i, i);
					assertThat(cache.get("key" + i)).isNull();
					assertThat(cache.getMany(List.of("key" + i, "other"))).isEmpty();
					if (System.nanoTime() - start > Duration.ofMillis(50).toNanos()) {
						slow++;
					}
				}
				assertThat(slow).isLessThanOrEqualTo(2);
				assertThat(cache.servers()).containsOnlyKeys("nosuch.invalid:11211");
				assertThat(cache.servers().get("nosuch.invalid:11211").alive()).isFalse();
				assertThat(cache.statistics().errors()).isGreaterThanOrEqualTo(100);
			}
			assertThat(MemcachedHungServerFaultTests.lines(log, Level.ERROR, "nosuch.invalid:11211")).hasSize(1)
				.allSatisfy((line) -> assertThat(line).contains("cannot be resolved"));
		}
	}

	@Test
	void aHostThatResolvesLaterIsUsedWithoutARestart() throws Exception {
		Path dir = Files.createTempDirectory("resolving");
		Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.2 unrelated.test\n");
		// The JDK keeps a failed lookup for 10 s by default (a security property, which wins over system properties).
		Path security = Files.writeString(dir.resolve("java.security"), "networkaddress.cache.negative.ttl=0\n");
		try (MemcachedServer a = MemcachedServer.start(); MemcachedServer b = MemcachedServer.start()) {
			String bName = "cache-b.test:" + b.port();
			Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Djdk.net.hosts.file=" + hosts, "-Djava.security.properties=" + security, "-cp",
					System.getProperty("java.class.path"), UnresolvableHostChild.class.getName(),
					a.location() + "," + bName)
				.redirectErrorStream(true)
				.start();
			List<String> output = new ArrayList<>();
			BlockingQueue<String> lines = new LinkedBlockingQueue<>();
			Thread reader = new Thread(() -> {
				try (BufferedReader in = new BufferedReader(
						new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
					String line;
					while ((line = in.readLine()) != null) {
						lines.add(line);
					}
				}
				catch (IOException ex) {
					// The child ended.
				}
			});
			reader.setDaemon(true);
			reader.start();
			try {
				String started = await(lines, output, (line) -> line.startsWith("STARTED "), 20_000);
				assertThat(Long.parseLong(started.split(" ")[1])).as("startup, ms").isLessThan(10_000);
				// While cache-b.test does not resolve, a serves every key: all hits, nothing on b.
				for (int i = 0; i < 5; i++) {
					assertThat(round(await(lines, output, (line) -> line.startsWith("ROUND "), 5000)))
						.containsEntry("hits", 100L);
				}
				assertThat(b.stat("curr_items")).isZero();
				Files.writeString(hosts, "127.0.0.1 cache-b.test\n", StandardOpenOption.APPEND);
				long resolved = System.nanoTime();
				while (b.stat("curr_items") == 0 && System.nanoTime() - resolved < TimeUnit.SECONDS.toNanos(10)) {
					MemcachedServer.sleep(50);
				}
				assertThat(b.stat("curr_items")).as("items on b within 10 s of its name resolving").isPositive();
				System.out.println("cache-b.test used " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resolved)
						+ " ms after it resolved");
				// The child says so once, and then both serve: every key still a hit.
				await(lines, output, (line) -> line.contains(bName) && line.contains("now resolves to"), 5000);
				await(lines, output, (line) -> line.startsWith("ROUND "), 5000);
				assertThat(round(await(lines, output, (line) -> line.startsWith("ROUND "), 5000)))
					.containsEntry("hits", 100L);
				long longest = output.stream().filter((line) -> line.startsWith("ROUND "))
					.mapToLong((line) -> round(line).get("longest")).max().orElseThrow();
				assertThat(longest).as("longest call, ms").isLessThanOrEqualTo(250 + 250);
				assertThat(output.stream().filter((line) -> line.contains("ERROR") && line.contains(bName)
						&& line.contains("cannot be resolved"))).as(String.join("\n", output)).hasSize(1);
				assertThat(output.stream().filter((line) -> line.contains(bName) && line.contains("now resolves to")))
					.as(String.join("\n", output)).hasSize(1);
			}
			finally {
				child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		finally {
			for (File file : dir.toFile().listFiles()) {
				file.delete();
			}
			dir.toFile().delete();
		}
	}

	private static Map<String, Long> round(String line) {
		String[] parts = line.split(" ");
		return Map.of("longest", Long.parseLong(parts[1]), "hits", Long.parseLong(parts[2]));
	}

	/** The next line of the child that matches, keeping every line read; fails after {@code millis}. */
	private static String await(BlockingQueue<String> lines, List<String> output, Predicate<String> wanted,
			long millis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (true) {
			String line = lines.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
					TimeUnit.MILLISECONDS);
			if (line == null) {
				throw new AssertionError("no such line from the child within " + millis + " ms; its output:\n"
						+ String.join("\n", output));
			}
			output.add(line);
			if (wanted.test(line)) {
				return line;
			}
		}
	}

}
