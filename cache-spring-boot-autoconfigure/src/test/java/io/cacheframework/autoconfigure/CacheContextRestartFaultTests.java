package io.cacheframework.autoconfigure;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.cacheframework.backend.memcached.MemcachedServerAccess;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY.md §7 A9: an application context with one cache of every kind that holds threads or file
 * descriptors (memcached on three servers, one of them down; the database backend with its own Hikari pool; the
 * file system; local memory) is started, used and closed 50 times in one JVM. Nothing is left behind: the live
 * threads and open file descriptors come back to what they were after the first two rounds, within 5 of each, and
 * no spymemcached I/O thread or cache pool thread survives.
 *
 * <p>The down memcached server is the fault: its client keeps trying to reconnect until it is shut down.
 */
class CacheContextRestartFaultTests {

	private static final int ROUNDS = 50;

	private static final int SLACK = 5;

	@TempDir
	Path dir;

	@Test
	void fiftyContextsLeaveNoThreadsOrFileDescriptorsBehind() throws Exception {
		try (MemcachedServerAccess first = MemcachedServerAccess.start();
				MemcachedServerAccess second = MemcachedServerAccess.start()) {
			String location = first.location() + "," + second.location() + ",127.0.0.1:"
					+ MemcachedServerAccess.freePort();
			ApplicationContextRunner runner = new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						CacheFrameworkAutoConfiguration.class, MemcachedCacheBackendAutoConfiguration.class,
						DatabaseCacheBackendAutoConfiguration.class, FileSystemCacheBackendAutoConfiguration.class))
				.withPropertyValues("spring.datasource.url=jdbc:h2:mem:context-restarts;DB_CLOSE_DELAY=-1",
						"app.cache-database.create-tables=true", "app.caches.default.location=context-restarts",
						"app.caches.memcached.backend=memcached", "app.caches.memcached.location=" + location,
						"app.caches.memcached.options.operation-timeout=300ms",
						"app.caches.memcached.options.reconnect-delay=1s", "app.caches.database.backend=database",
						"app.caches.database.location=context_restarts", "app.caches.files.backend=filesystem",
						"app.caches.files.location=" + this.dir.resolve("files"));
			int threads = 0;
			int fds = 0;
			AtomicInteger peak = new AtomicInteger();
			AtomicInteger peakFds = new AtomicInteger();
			for (int round = 0; round < ROUNDS; round++) {
				int index = round;
				runner.run((context) -> {
					assertThat(context).hasNotFailed();
					Caches caches = context.getBean(Caches.class);
					for (String alias : List.of("default", "memcached", "database", "files")) {
						CacheBackend cache = caches.get(alias);
						for (int i = 0; i < 10; i++) {
							cache.set("key" + i, "round " + index);
						}
						// memcached: a key whose server is down is a miss; the others are hits.
						assertThat(cache.getMany(List.of("key0", "key1", "key2", "key3", "key4", "key5", "key6",
								"key7", "key8", "key9"))).as(alias).isNotEmpty();
					}
					// What closing must release is really there: the clients' I/O threads, the cache's own pool.
					Set<String> running = threadNames();
					assertThat(running).anyMatch((name) -> name.startsWith("Memcached IO"))
						.anyMatch((name) -> name.startsWith("cache-database"));
					peak.accumulateAndGet(liveThreads(), Math::max);
					peakFds.accumulateAndGet(openFiles(), Math::max);
				});
				if (round == 1) {
					threads = liveThreads();
					fds = openFiles();
				}
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (System.nanoTime() < deadline
					&& (liveThreads() > threads + SLACK || openFiles() > fds + SLACK)) {
				Thread.sleep(100);
			}
			System.out.println("[context restarts] after 2 rounds: " + threads + " threads, " + fds
					+ " file descriptors; after " + ROUNDS + ": " + liveThreads() + " threads, " + openFiles()
					+ " file descriptors; at most " + peak.get() + " threads and " + peakFds.get()
					+ " file descriptors while a context ran");
			// The counts do see what a context holds (so a leak would show).
			assertThat(peak.get()).as("threads while a context runs").isGreaterThan(threads);
			assertThat(peakFds.get()).as("file descriptors while a context runs").isGreaterThan(fds);
			assertThat(liveThreads()).as("live threads (%s)", threadNames()).isLessThanOrEqualTo(threads + SLACK);
			assertThat(openFiles()).as("open file descriptors").isLessThanOrEqualTo(fds + SLACK);
			assertThat(threadNames()).noneMatch((name) -> name.startsWith("Memcached IO"))
				.noneMatch((name) -> name.startsWith("cache-"));
		}
	}

	/** Every live thread of the JVM (not only this thread's group). */
	private static int liveThreads() {
		return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
	}

	private static Set<String> threadNames() {
		return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
			.collect(Collectors.toCollection(java.util.TreeSet::new));
	}

	private static int openFiles() {
		String[] fds = new File("/proc/self/fd").list();
		return (fds != null) ? fds.length : 0;
	}

}
