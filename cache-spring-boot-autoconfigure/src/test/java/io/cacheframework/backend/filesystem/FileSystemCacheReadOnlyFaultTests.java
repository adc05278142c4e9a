package io.cacheframework.backend.filesystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.FileSystemCacheBackendAutoConfiguration;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Caches;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A cache directory that cannot be written (issue 12, item 12; RELIABILITY.md §7 C5): the backend starts, every
 * call is a miss or a failed write with no exception, it is logged, and the cache works again as soon as the
 * directory can be written.
 *
 * <p>The tests run as root, which ignores permission bits, so {@code chmod} would prove nothing. They use what
 * refuses root too: a 4 MB tmpfs mounted by the test and remounted read-only ({@code mount -o remount,ro}, the
 * kernel answers {@code EROFS}), and for a directory that becomes unwritable while in use (a read-only remount is
 * refused while the cache holds its lock file open for writing) the immutable attribute ({@code chattr +i}, the
 * kernel answers {@code EPERM}). Each test first checks that root really cannot create a file there. Mounting needs
 * root, as {@link FileSystemCacheDiskFullTests} does; if it fails the test fails, it never skips.
 *
 * <p>Each caller's round of nine calls is timed: on an unwritable directory a call fails at once, without waiting
 * for anything. Measured on the 2-core development machine at a load average of 10 (other builds running): mean
 * 10 ms per round, worst round 0.43 s (threads waiting for a core, not for the cache). The bound for a round is 3 s,
 * to stay robust on a loaded machine; a call that waited for a lock or a timeout would take 10 s.
 */
class FileSystemCacheReadOnlyFaultTests {

	private static final int CALLERS = 8;

	private static final int ROUNDS = 200;

	private static final long MAX_ROUND_NANOS = TimeUnit.SECONDS.toNanos(3);

	@TempDir
	Path dir;

	private Path mountPoint;

	@BeforeEach
	void mountTmpfs() throws Exception {
		this.mountPoint = Files.createDirectory(this.dir.resolve("mnt"));
		run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", this.mountPoint.toString());
	}

	@AfterEach
	void unmount() throws Exception {
		run("umount", this.mountPoint.toString());
	}

	@Test
	void readOnlyDirectoryAtStartupServesMissesAndFailedWritesThenWorksOnceWritable() throws Exception {
		Path location = this.mountPoint.resolve("cache");
		try (FileSystemCacheBackend before = cache(location)) {
			before.set("kept", "written before the outage");
		}
		run("mount", "-o", "remount,ro", this.mountPoint.toString());
		assertThatIOException().as("root cannot write a read-only mount")
			.isThrownBy(() -> Files.createFile(location.resolve("probe")));

		try (LogCapture log = LogCapture.of(FileSystemCacheBackend.class.getName());
				FileSystemCacheBackend cache = cache(location)) {
			assertThat(log.warnings()).singleElement()
				.asString()
				.contains("Cache 'readonly' (filesystem) cannot use its directory " + location.toRealPath())
				.contains("Read-only file system");
			List<ComponentHealth> health = cache.inspection().checkHealth();
			assertThat(health).singleElement().satisfies((component) -> assertThat(component.up()).isFalse());

			Outcome outcome = hammer(cache, false);
			assertThat(outcome.exceptions).as("exceptions from %d callers", CALLERS).isEmpty();
			assertThat(outcome.hits).as("no entry is served while the directory is read-only").isZero();
			assertThat(outcome.maxRoundNanos).isLessThan(MAX_ROUND_NANOS);
			// Read-only: an entry that a failed delete could not remove is never read.
			assertThat(cache.get("kept")).isNull();
			assertThat(cache.delete("kept")).isFalse();
			assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("kept"));
			assertThat(cache.statistics().errors()).isGreaterThan((long) CALLERS * ROUNDS);
			assertThat(log.storeFailures()).isNotEmpty().hasSizeLessThan(5);

			run("mount", "-o", "remount,rw", this.mountPoint.toString());
			// The next call finds the directory writable: no restart, no waiting.
			cache.set("after", "recovered");
			assertThat(cache.get("after")).isEqualTo("recovered");
			assertThat(cache.get("kept")).isEqualTo("written before the outage");
			assertThat(log.events()).anySatisfy((event) -> assertThat(event.getFormattedMessage())
				.isEqualTo("Cache directory " + location.toRealPath() + " can be used again"));
			assertThat(cache.inspection().checkHealth()).singleElement().satisfies((component) -> assertThat(component.up()).isTrue());
			Outcome recovered = hammer(cache, true);
			assertThat(recovered.exceptions).isEmpty();
			assertThat(recovered.hits).isEqualTo((long) CALLERS * ROUNDS);
		}
		assertThat(FileSystemCacheMultiProcessTests.tempFiles(location)).isEmpty();
	}

	@Test
	void applicationStartsWithAReadOnlyCacheDirectory() throws Exception {
		Path location = Files.createDirectory(this.mountPoint.resolve("cache"));
		Files.setPosixFilePermissions(location, PosixFilePermissions.fromString("rwx------"));
		run("mount", "-o", "remount,ro", this.mountPoint.toString());
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CacheFrameworkAutoConfiguration.class,
					FileSystemCacheBackendAutoConfiguration.class))
			.withPropertyValues("app.caches.default.backend=filesystem", "app.caches.default.location=" + location)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(Caches.class).get("default");
				cache.set("k", "v");
				assertThat(cache.get("k")).isNull();
				run("mount", "-o", "remount,rw", this.mountPoint.toString());
				cache.set("k", "v");
				assertThat(cache.get("k")).isEqualTo("v");
			});
	}

	@Test
	void missingDirectoryUnderAReadOnlyParentIsCreatedOnceWritable() throws Exception {
		run("mount", "-o", "remount,ro", this.mountPoint.toString());
		Path location = this.mountPoint.resolve("not/yet/cache");
		try (LogCapture log = LogCapture.of(FileSystemCacheBackend.class.getName());
				FileSystemCacheBackend cache = cache(location)) {
			assertThat(log.warnings()).singleElement().asString().contains("cannot use its directory " + location);
			Outcome outcome = hammer(cache, false);
			assertThat(outcome.exceptions).isEmpty();
			assertThat(outcome.hits).isZero();
			assertThat(location).doesNotExist();

			run("mount", "-o", "remount,rw", this.mountPoint.toString());
			cache.set("after", "recovered");
			assertThat(cache.get("after")).isEqualTo("recovered");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(location))).isEqualTo("rwx------");
			assertThat(hammer(cache, true).exceptions).isEmpty();
		}
	}

	@Test
	void directoryThatBecomesUnwritableWhileInUseTurnsToMissesAndBack() throws Exception {
		Path location = this.mountPoint.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("user", "ann");
			assertThat(cache.get("user")).isEqualTo("ann");
			run("chattr", "+i", location.toString());
			try {
				assertThatIOException().as("root cannot write an immutable directory")
					.isThrownBy(() -> Files.createFile(location.resolve("probe")));
				// The delete fails; from then on reads are misses, so the entry it should have removed is not served.
				assertThat(cache.delete("user")).isFalse();
				assertThat(cache.get("user")).isNull();
				Outcome outcome = hammer(cache, false);
				assertThat(outcome.exceptions).isEmpty();
				assertThat(outcome.hits).isZero();
			}
			finally {
				run("chattr", "-i", location.toString());
			}
			cache.set("user", "bob");
			assertThat(cache.get("user")).isEqualTo("bob");
			assertThat(hammer(cache, true).exceptions).isEmpty();
		}
	}

	/**
	 * {@value #CALLERS} threads, started together, each running {@value #ROUNDS} rounds of every operation on keys
	 * of its own.
	 * @param writable whether writes must succeed (then every read of a just-written key must hit)
	 */
	private static Outcome hammer(FileSystemCacheBackend cache, boolean writable) throws Exception {
		CyclicBarrier start = new CyclicBarrier(CALLERS);
		AtomicLong hits = new AtomicLong();
		AtomicLong maxRound = new AtomicLong();
		List<Throwable> exceptions = Collections.synchronizedList(new ArrayList<>());
		ExecutorService executor = Executors.newFixedThreadPool(CALLERS);
		try {
			List<Future<?>> callers = new ArrayList<>();
			for (int c = 0; c < CALLERS; c++) {
				String caller = "c" + c;
				callers.add(executor.submit(() -> {
					start.await(10, TimeUnit.SECONDS);
					for (int round = 0; round < ROUNDS; round++) {
						String key = caller + "-" + (round % 20);
						try {
							long began = System.nanoTime();
							cache.set(key, key + "@" + round);
							Object read = cache.get(key);
							if (read != null) {
								hits.incrementAndGet();
								if (!read.equals(key + "@" + round)) {
									throw new AssertionError(key + " read " + read);
								}
							}
							else if (writable) {
								throw new AssertionError(key + " missed although the directory is writable");
							}
							cache.add(key + "-added", round, Timeout.seconds(60));
							cache.hasKey(key);
							cache.touch(key);
							Map<String, Object> many = new LinkedHashMap<>();
							many.put(key + "-a", 1);
							many.put(key + "-b", 2);
							List<String> failed = cache.setMany(many);
							if (!writable && failed.size() != 2) {
								throw new AssertionError("setMany stored " + many.keySet() + " on a read-only directory");
							}
							cache.getMany(many.keySet());
							Object computed = cache.getOrSet(key + "-computed", () -> "computed");
							if (!"computed".equals(computed)) {
								throw new AssertionError("getOrSet gave " + computed);
							}
							cache.delete(key + "-a");
							maxRound.accumulateAndGet(System.nanoTime() - began, Math::max);
						}
						catch (RuntimeException | AssertionError ex) {
							exceptions.add(ex);
						}
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		return new Outcome(hits.get(), maxRound.get(), exceptions);
	}

	private static FileSystemCacheBackend cache(Path location) {
		// No culling (tested elsewhere): every value written here must be read back while the directory is writable.
		return new FileSystemCacheBackend(CacheSettings.builder("readonly")
			.location(location.toString())
			.timeout(Timeout.of(Duration.ofMinutes(5)))
			.maxEntries(100_000)
			.build());
	}

	static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
	}

	private record Outcome(long hits, long maxRoundNanos, List<Throwable> exceptions) {
	}

}
