package io.cacheframework.backend.redis;

import java.time.Duration;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared contract on a three-master Redis Cluster of its own ({@code options.cluster: true}, the three masters as
 * seed nodes): keys spread over the masters by hash slot, multi-key calls split by slot. A cluster has database 0
 * only, so {@code clear()} ({@code FLUSHDB} on every master) empties every location.
 */
class RedisClusterCacheBackendTests extends AbstractCacheBackendTests {

	private static RedisTestCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisTestCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	static RedisOptions options() {
		RedisOptions options = new RedisOptions();
		options.setCluster(true);
		options.setOperationTimeout(Duration.ofSeconds(2));
		return options;
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new RedisCacheBackend(settings, options(), new DefaultValueSerializer());
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
