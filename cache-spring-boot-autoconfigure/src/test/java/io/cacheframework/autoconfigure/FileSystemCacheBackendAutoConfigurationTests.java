package io.cacheframework.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.cacheframework.backend.filesystem.FileSystemCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class FileSystemCacheBackendAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, FileSystemCacheBackendAutoConfiguration.class));

	@TempDir
	Path dir;

	@Test
	void filesystemBackendFromProperties() {
		Path location = this.dir.resolve("a/b/cache");
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem", "app.caches.default.location=" + location,
					"app.caches.default.options.max-entries=50", "app.caches.default.options.compress-min-bytes=-1",
					"app.caches.default.options.sync-writes=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("fileSystemCacheBackendFactory", CacheBackendFactory.class).name())
					.isEqualTo("filesystem");
				CacheBackend cache = context.getBean(Caches.class).get("default");
				assertThat(cache).isInstanceOf(FileSystemCacheBackend.class);
				assertThat(((FileSystemCacheBackend) cache).settings().maxEntries()).isEqualTo(50);
				cache.set("username", "guyan");
				assertThat(cache.get("username")).isEqualTo("guyan");
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(location)))
					.isEqualTo("rwx------");
			});
	}

	@Test
	void relativeLocationFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem", "app.caches.default.location=cache-dir")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("relative path"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem", "app.caches.default.location=cache-dir")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.caches.default.location")
				.hasStackTraceContaining("'cache-dir' is a relative path"));
	}

	@Test
	void missingLocationFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("app.caches.default.backend=filesystem")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.caches.default.location")
				.hasStackTraceContaining("needs an absolute directory"));
	}

	@Test
	void unsafeDirectoryFailsStartup() throws Exception {
		Path open = Files.createDirectory(this.dir.resolve("open"));
		Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem", "app.caches.default.location=" + open)
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.caches.default.location")
				.hasStackTraceContaining("world-writable"));
	}

	@Test
	void unknownOptionFailsNamingIt() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem",
					"app.caches.default.location=" + this.dir.resolve("c"), "app.caches.default.options.sync=yes")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.caches.default.options.sync"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=filesystem",
					"app.caches.default.location=" + this.dir.resolve("c"),
					"app.caches.default.options.max-value-bytes=0")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.caches.default.options.max-value-bytes"));
	}

}
