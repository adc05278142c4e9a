package io.cacheframework.backend.redis;

import io.cacheframework.core.AbstractAsyncLoadTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;

/**
 * Redis's asynchronous API on Lettuce's futures: the load tests of {@link AbstractAsyncLoadTests}.
 */
class RedisAsyncTests extends AbstractAsyncLoadTests {

	private RedisServer server;

	@Override
	protected CacheBackend startServerAndBackend() {
		this.server = RedisServer.start();
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(TIMEOUT);
		return new RedisCacheBackend(CacheSettings.builder("async").location(this.server.location(0)).build(),
				options, new DefaultValueSerializer());
	}

	@Override
	protected void pauseServer() {
		this.server.pause();
	}

	@Override
	protected void resumeServer() {
		this.server.resume();
	}

	@Override
	protected void closeServer() {
		this.server.close();
	}

}
