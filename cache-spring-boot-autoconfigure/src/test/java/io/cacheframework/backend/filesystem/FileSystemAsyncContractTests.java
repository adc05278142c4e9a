package io.cacheframework.backend.filesystem;

import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract through the file-system cache's asynchronous API, whose calls run on the bounded executor
 * (each future joined by the test).
 */
class FileSystemAsyncContractTests extends AbstractFileSystemContractTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(new FileSystemCacheBackend(settings));
	}

}
