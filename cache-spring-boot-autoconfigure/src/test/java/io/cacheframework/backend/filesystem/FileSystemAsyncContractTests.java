package io.cacheframework.backend.filesystem;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole contract through the file-system cache's asynchronous API, whose calls run on the bounded executor
 * (each future joined by the test).
 */
class FileSystemAsyncContractTests extends AbstractCacheBackendTests {

	private static final AtomicInteger sequence = new AtomicInteger();

	@TempDir
	Path tempDir;

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(new FileSystemCacheBackend(settings));
	}

	@Override
	protected String newLocation() {
		return this.tempDir.resolve("cache-" + sequence.incrementAndGet()).toString();
	}

	@Override
	protected boolean incrKeepsTimeout() {
		// Django's base incr (used by FileBasedCache) stores the new value with the default timeout.
		return false;
	}

}
