package io.cacheframework.backend.locmem;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract, run through locmem's asynchronous API (each future joined).
 */
class LocMemAsyncContractTests extends AbstractCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(new LocMemCacheBackend(settings));
	}

}
