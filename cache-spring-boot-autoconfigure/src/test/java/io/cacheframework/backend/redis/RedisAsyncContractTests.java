package io.cacheframework.backend.redis;

import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract through Redis's asynchronous primitives (Lettuce's futures, each joined by the test), on the
 * same kind of server and with the same hooks as {@link RedisCacheBackendTests}.
 */
class RedisAsyncContractTests extends RedisCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(super.createBackend(settings));
	}

}
