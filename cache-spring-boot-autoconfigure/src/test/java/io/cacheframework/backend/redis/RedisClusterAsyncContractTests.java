package io.cacheframework.backend.redis;

import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract through Redis's asynchronous primitives on a three-master Redis Cluster, with the same hooks
 * as {@link RedisClusterCacheBackendTests}.
 */
class RedisClusterAsyncContractTests extends RedisClusterCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(super.createBackend(settings));
	}

}
