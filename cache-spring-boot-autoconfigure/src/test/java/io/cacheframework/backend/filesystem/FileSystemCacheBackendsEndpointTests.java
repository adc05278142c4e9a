package io.cacheframework.backend.filesystem;

import java.nio.file.Path;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health and meters on the file-system backend: keys come from a directory listing that reads
 * each file's header and key, never its payload.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"app.caches.default.backend=filesystem" })
class FileSystemCacheBackendsEndpointTests extends AbstractCacheBackendsEndpointTests {

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", () -> directory.resolve("cache").toString());
	}

	@Override
	protected String expectedBackend() {
		return "filesystem";
	}

	@Override
	protected String settingLocation() {
		return directory.resolve("cache").toString();
	}

	@Override
	protected long expectedSizeOfGuyan() {
		return SIZE_OF_GUYAN;
	}

	static final long SIZE_OF_GUYAN = 6;

	@Test
	void directoryIsReportedInHealth() {
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(health, "$.details.component")).startsWith("directory ");
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(json, "$.stats.directory")).endsWith("cache");
	}

}
