package io.cacheframework.backend.redis;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract through Redis's asynchronous primitives on a three-master Redis Cluster of its own: multi-key
 * calls split by hash slot, each part answered by its own node's future.
 */
class RedisClusterAsyncContractTests extends AbstractCacheBackendTests {

	private static RedisTestCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisTestCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(new RedisCacheBackend(settings, RedisClusterCacheBackendTests.options(),
				new DefaultValueSerializer()));
	}

	@Override
	protected String newLocation() {
		return cluster.location();
	}

	@Override
	protected boolean clockIsSimulated() {
		return false;
	}

	@Override
	protected boolean supportsCulling() {
		return false;
	}

	@Override
	protected boolean clearIsScopedToLocation() {
		return false;
	}

}
