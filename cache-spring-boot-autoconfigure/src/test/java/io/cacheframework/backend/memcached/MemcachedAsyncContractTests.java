package io.cacheframework.backend.memcached;

import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract through memcached's asynchronous primitives (spymemcached's futures, each joined by the test),
 * on the same kind of server and with the same hooks as {@link MemcachedCacheBackendTests}.
 */
class MemcachedAsyncContractTests extends MemcachedCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(super.createBackend(settings));
	}

}
