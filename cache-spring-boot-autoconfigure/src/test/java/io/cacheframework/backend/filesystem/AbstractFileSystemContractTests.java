package io.cacheframework.backend.filesystem;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.AbstractCacheBackendTests;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared contract on the file system, for the blocking and the asynchronous API: each test's location is a
 * fresh directory under a JUnit temporary directory.
 */
abstract class AbstractFileSystemContractTests extends AbstractCacheBackendTests {

	private static final AtomicInteger sequence = new AtomicInteger();

	@TempDir
	Path tempDir;

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
