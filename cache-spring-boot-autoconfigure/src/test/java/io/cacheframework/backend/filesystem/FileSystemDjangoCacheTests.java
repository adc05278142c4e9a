package io.cacheframework.backend.filesystem;

import java.nio.file.Path;

import io.cacheframework.spring.AbstractDjangoCacheTests;
import io.cacheframework.spring.SpringCacheTestApplication;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring's cache contract on the file-system backend, each alias in a directory of its own.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "app.caches.default.backend=filesystem", "app.caches.testCache.backend=filesystem" })
class FileSystemDjangoCacheTests extends AbstractDjangoCacheTests {

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void locations(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", () -> directory.resolve("default").toString());
		registry.add("app.caches.testCache.location", () -> directory.resolve("alias").toString());
	}

}
