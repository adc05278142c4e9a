package io.cacheframework.backend.memcached;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;

/**
 * The application side of {@link MemcachedUnresolvableHostFaultTests}, run in a JVM of its own so that its name
 * lookups go through a hosts file the test controls ({@code -Djdk.net.hosts.file}). It starts a backend on the
 * location given as the first argument, then sets and gets 100 keys every 100 ms, reporting on stdout:
 * {@code STARTED <ms>}, then {@code ROUND <longest call in ms> <hits>} per round. It exits when its stdin closes.
 */
public final class UnresolvableHostChild {

	private UnresolvableHostChild() {
	}

	/**
	 * Run the backend.
	 * @param args the location
	 * @throws Exception if the backend cannot be built
	 */
	public static void main(String[] args) throws Exception {
		Thread watchdog = new Thread(() -> {
			try {
				while (System.in.read() != -1) {
					// Until the test closes our stdin.
				}
			}
			catch (java.io.IOException ex) {
				// The same.
			}
			System.exit(0);
		});
		watchdog.setDaemon(true);
		watchdog.start();
		MemcachedOptions options = new MemcachedOptions();
		options.setOperationTimeout(Duration.ofMillis(250));
		options.setReconnectDelay(Duration.ofMillis(500));
		long start = System.nanoTime();
		MemcachedCacheBackend cache = new MemcachedCacheBackend(CacheSettings.builder("resolving").location(args[0])
			.build(), options, new DefaultValueSerializer());
		System.out.println("STARTED " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
		while (true) {
			long longest = 0;
			int hits = 0;
			for (int i = 0; i < 100; i++) {
				long callStart = System.nanoTime();
				cache.set("key" + i, "value" + i);
				long between = System.nanoTime();
				Object value = cache.get("key" + i);
				longest = Math.max(longest, Math.max(between - callStart, System.nanoTime() - between));
				hits += ("value" + i).equals(value) ? 1 : 0;
			}
			System.out.println("ROUND " + TimeUnit.NANOSECONDS.toMillis(longest) + " " + hits);
			Thread.sleep(100);
		}
	}

}
