package io.cacheframework.backend.filesystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract (Django's {@code BaseCacheTests}) for {@link FileSystemCacheBackend}, plus Django's
 * {@code FileBasedCacheTests} specifics.
 */
class FileSystemCacheBackendTests extends AbstractFileSystemContractTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new FileSystemCacheBackend(settings);
	}

	@Test
	void ignoresNonCacheFiles() throws Exception {
		// Django's test_ignores_non_cache_files: clear() keeps other files.
		Path dir = Path.of(location());
		Path other = Files.writeString(dir.resolve("not-a-cache-file"), "x");
		this.cache.set("k", "v");
		this.cache.clear();
		assertThat(other).exists();
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void clearDoesNotRemoveCacheDir() {
		// Django's test_clear_does_not_remove_cache_dir.
		this.cache.clear();
		assertThat(Path.of(location())).isDirectory();
	}

	@Test
	void createsCacheDirIfNonexistent() throws Exception {
		// Django's test_creates_cache_dir_if_nonexistent: the directory is removed while in use.
		Path dir = Path.of(location());
		this.cache.set("foo", "bar");
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(dir);
		this.cache.set("foo", "bar");
		assertThat(dir).isDirectory();
		assertThat(this.cache.get("foo")).isEqualTo("bar");
	}

	@Test
	void emptyCacheFileConsideredExpired() throws Exception {
		// Django's test_empty_cache_file_considered_expired.
		this.cache.set("foo", "bar");
		Path file = ((FileSystemCacheBackend) this.cache).pathOf(this.cache.makeKey("foo"));
		Files.write(file, new byte[0]);
		assertThat(this.cache.get("foo")).isNull();
		assertThat(this.cache.hasKey("foo")).isFalse();
	}

	@Test
	void getDoesNotIgnoreNonFileNotFoundErrors() throws Exception {
		// Django lets an IsADirectoryError escape; here any I/O error other than a missing file is a counted
		// failure and a miss, never an exception to the caller.
		Path file = ((FileSystemCacheBackend) this.cache).pathOf(this.cache.makeKey("foo"));
		Files.createDirectory(file);
		long errors = ((FileSystemCacheBackend) this.cache).statistics().errors();
		assertThat(this.cache.get("foo")).isNull();
		assertThat(((FileSystemCacheBackend) this.cache).statistics().errors()).isGreaterThan(errors);
	}

	@Test
	void touchRewritesAtomicallyAndKeepsTheValue() {
		this.cache.set("k", "spam and eggs ".repeat(500), Timeout.seconds(10));
		assertThat(this.cache.touch("k", Timeout.NEVER)).isTrue();
		advanceTime(java.time.Duration.ofDays(1000));
		assertThat(this.cache.get("k")).isEqualTo("spam and eggs ".repeat(500));
	}

}
