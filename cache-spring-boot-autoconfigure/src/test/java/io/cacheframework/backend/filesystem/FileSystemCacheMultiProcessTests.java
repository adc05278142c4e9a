package io.cacheframework.backend.filesystem;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.cacheframework.backend.filesystem.FileSystemCacheWorker.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several JVMs sharing one cache directory (RELIABILITY.md §7 C1, C2, G2). Durations and repetitions are system
 * properties so that CI stays fast and a longer run is one flag away:
 * {@code -Dcache.fs.stress.seconds=30 -Dcache.fs.kill.rounds=100}.
 */
class FileSystemCacheMultiProcessTests {

	private static final long STRESS_MILLIS = TimeUnit.SECONDS
		.toMillis(Long.getLong("cache.fs.stress.seconds", 8));

	private static final int KILL_ROUNDS = Integer.getInteger("cache.fs.kill.rounds", 8);

	@TempDir
	Path dir;

	@Test
	void twoJvmsWritingAndReadingTheSameKeysNeverSeeATornValue() throws Exception {
		Path cacheDir = this.dir.resolve("cache");
		Process child = FileSystemCacheWorker.spawn("stress", cacheDir.toString(), String.valueOf(STRESS_MILLIS), "2");
		try {
			Result local = FileSystemCacheWorker.stress(cacheDir, STRESS_MILLIS, 1);
			StringBuilder transcript = new StringBuilder();
			String line = FileSystemCacheWorker.awaitLine(child, FileSystemCacheWorker.reader(child), "RESULT",
					transcript);
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
			Result remote = Result.parse(line);
			System.out.println("[filesystem stress " + STRESS_MILLIS + " ms] this JVM: " + local + "\n"
					+ "[filesystem stress " + STRESS_MILLIS + " ms] child JVM: " + line);
			for (Result result : List.of(local, remote)) {
				assertThat(result.corrupt.get()).as("corrupt reads; first problem: %s", result.firstProblem).isZero();
				assertThat(result.exceptions.get()).as("exceptions; first: %s", result.firstProblem).isZero();
				assertThat(result.errors.get()).as("backend errors (I/O failures, unreadable entries)").isZero();
				assertThat(result.writes.get()).isPositive();
				assertThat(result.hits.get()).isPositive();
			}
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(tempFiles(cacheDir)).as("temporary files left").isEmpty();
		try (FileSystemCacheBackend cache = FileSystemCacheWorker.open(cacheDir)) {
			int present = 0;
			for (int key = 0; key < FileSystemCacheWorker.KEYS; key++) {
				Object value = cache.get("k" + key);
				if (value != null) {
					present++;
					assertThat(FileSystemCacheWorker.check(key, value)).isNull();
				}
			}
			assertThat(present).isPositive();
			assertThat(cache.statistics().errors()).isZero();
		}
	}

	@Test
	void aWriterKilledAtRandomPointsLeavesOnlyCompleteValuesOrMisses() throws Exception {
		Path cacheDir = this.dir.resolve("cache");
		int hits = 0;
		int killedMidWrite = 0;
		for (int round = 0; round < KILL_ROUNDS; round++) {
			Process writer = FileSystemCacheWorker.spawn("writer", cacheDir.toString(), String.valueOf(round));
			try {
				FileSystemCacheWorker.awaitLine(writer, FileSystemCacheWorker.reader(writer), "READY",
						new StringBuilder());
				Thread.sleep(ThreadLocalRandom.current().nextInt(20, 400));
			}
			finally {
				// SIGKILL: no shutdown hooks, no finally blocks, a write may be anywhere between open and rename.
				writer.destroyForcibly();
				assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(writer.exitValue()).as("killed by SIGKILL").isEqualTo(137);
			if (!tempFiles(cacheDir).isEmpty()) {
				killedMidWrite++;
			}
			// A new backend sweeps the dead writer's temporary files.
			try (FileSystemCacheBackend cache = FileSystemCacheWorker.open(cacheDir)) {
				assertThat(tempFiles(cacheDir)).as("temporary files of the killed writer").isEmpty();
				for (int key = 0; key < 20; key++) {
					Object value = cache.get("k" + key);
					if (value != null) {
						hits++;
						assertThat(FileSystemCacheWorker.check(key, value)).as("round %d key %d", round, key).isNull();
					}
				}
				assertThat(cache.get("counter")).isInstanceOf(Long.class);
				assertThat(cache.statistics().errors()).as("unreadable entries after round %d", round).isZero();
			}
		}
		System.out.println("[filesystem SIGKILL] " + KILL_ROUNDS + " rounds, " + killedMidWrite
				+ " killed between creating and renaming a temporary file, " + hits + " complete values read, 0 torn");
		assertThat(hits).isPositive();
	}

	@Test
	void incrAndAddAreAtomicAcrossProcesses() throws Exception {
		Path cacheDir = this.dir.resolve("cache");
		Path go = this.dir.resolve("go");
		try (FileSystemCacheBackend cache = FileSystemCacheWorker.open(cacheDir)) {
			cache.set("counter", 0);
		}
		Process child = FileSystemCacheWorker.spawn("incr", cacheDir.toString(), "1000", go.toString());
		try {
			BufferedReader reader = FileSystemCacheWorker.reader(child);
			StringBuilder transcript = new StringBuilder();
			FileSystemCacheWorker.awaitLine(child, reader, "READY", transcript);
			Thread starter = new Thread(() -> {
				try {
					Thread.sleep(200);
					Files.createFile(go);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			starter.start();
			long[] local = FileSystemCacheWorker.incrAndAdd(cacheDir, 1000, go);
			String line = FileSystemCacheWorker.awaitLine(child, reader, "RESULT", transcript);
			starter.join();
			assertThat(local[0]).isEqualTo(1000);
			assertThat(line).contains("incr=1000");
			long remoteAdds = Long.parseLong(line.substring(line.indexOf("adds=") + 5).trim());
			try (FileSystemCacheBackend cache = FileSystemCacheWorker.open(cacheDir)) {
				// 2 JVMs × 4 threads × 250 increments, none lost; the Integer stays an Integer.
				assertThat(cache.get("counter")).isEqualTo(2000);
				// Each lock key was added by exactly one of the 8 threads of the 2 processes.
				assertThat(local[1] + remoteAdds).isEqualTo(200);
				assertThat(cache.statistics().errors()).isZero();
			}
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(tempFiles(cacheDir)).isEmpty();
	}

	static List<Path> tempFiles(Path dir) throws Exception {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> file.getFileName().toString().startsWith(EntryFormat.TEMP_PREFIX)).toList();
		}
	}

}
