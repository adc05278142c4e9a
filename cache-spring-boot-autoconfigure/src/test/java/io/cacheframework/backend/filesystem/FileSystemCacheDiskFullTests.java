package io.cacheframework.backend.filesystem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk (RELIABILITY.md §7 C3): the cache directory on a 2 MB tmpfs. Mounting needs root, which the test
 * machines and CI run as; if the mount fails the test fails (it never skips).
 */
class FileSystemCacheDiskFullTests {

	private static final int VALUE_BYTES = 256 * 1024;

	@TempDir
	Path dir;

	private Path mountPoint;

	@BeforeEach
	void mountSmallTmpfs() throws Exception {
		this.mountPoint = Files.createDirectory(this.dir.resolve("mnt"));
		run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", this.mountPoint.toString());
	}

	@AfterEach
	void unmount() throws Exception {
		run("umount", this.mountPoint.toString());
	}

	@Test
	void setFailsCleanlyWhenTheDiskIsFullAndWorksAgainWhenSpaceReturns() throws Exception {
		Path location = this.mountPoint.resolve("cache");
		Random random = new Random(7);
		try (FileSystemCacheBackend cache = new FileSystemCacheBackend(
				CacheSettings.builder("full").location(location.toString()).timeout(Timeout.NEVER).build())) {
			List<String> stored = new ArrayList<>();
			String failedKey = null;
			for (int i = 0; i < 20 && failedKey == null; i++) {
				long errors = cache.statistics().errors();
				// Incompressible, so each value takes its full size on the disk.
				cache.set("k" + i, randomBytes(random, VALUE_BYTES));
				if (cache.statistics().errors() > errors) {
					failedKey = "k" + i;
				}
				else {
					stored.add("k" + i);
				}
			}
			assertThat(failedKey).as("the 2 MB disk filled up").isNotNull();
			assertThat(stored).hasSizeBetween(4, 8);
			// The failed set stored nothing and left nothing: no entry, no partial or temporary file.
			assertThat(cache.get(failedKey)).isNull();
			assertThat(cache.pathOf(":1:" + failedKey)).doesNotExist();
			assertThat(FileSystemCacheMultiProcessTests.tempFiles(location)).isEmpty();
			// Overwriting an existing key while full fails too and keeps the previous complete value.
			byte[] before = (byte[]) cache.get(stored.get(0));
			cache.set(stored.get(0), randomBytes(random, 2 * VALUE_BYTES));
			assertThat(cache.get(stored.get(0))).isEqualTo(before);
			// Every entry on the disk is complete.
			for (String key : stored) {
				assertThat(cache.get(key)).as(key).isInstanceOf(byte[].class);
				assertThat((byte[]) cache.get(key)).hasSize(VALUE_BYTES);
			}
			assertThat(entryFiles(location)).hasSize(stored.size());
			// Keep the backend hammering the full disk: every call fails alone, nothing escapes to the caller.
			for (int i = 0; i < 50; i++) {
				cache.set("more" + i, randomBytes(random, VALUE_BYTES));
				assertThat(cache.add("add" + i, randomBytes(random, VALUE_BYTES))).isFalse();
			}
			assertThat(FileSystemCacheMultiProcessTests.tempFiles(location)).isEmpty();
			// Space returns: writes succeed again with the same backend.
			cache.delete(stored.get(0));
			cache.delete(stored.get(1));
			byte[] value = randomBytes(random, VALUE_BYTES);
			cache.set(failedKey, value);
			assertThat(cache.get(failedKey)).isEqualTo(value);
			assertThat(cache.add("added", "small")).isTrue();
			assertThat(cache.get("added")).isEqualTo("small");
		}
	}

	private static byte[] randomBytes(Random random, int size) {
		byte[] bytes = new byte[size];
		random.nextBytes(bytes);
		return bytes;
	}

	private static List<Path> entryFiles(Path dir) throws Exception {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> EntryFormat.isEntryName(file.getFileName().toString())).toList();
		}
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as("%s failed (needs root): %s", String.join(" ", command), output).isZero();
	}

}
