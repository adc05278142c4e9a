package io.cacheframework.backend.memcached;

import java.time.Duration;

import io.cacheframework.core.AbstractAsyncLoadTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * memcached's asynchronous API on spymemcached's futures: the load tests of {@link AbstractAsyncLoadTests}, and an
 * asynchronous {@code clear}.
 */
class MemcachedAsyncTests extends AbstractAsyncLoadTests {

	private MemcachedServer server;

	@Override
	protected CacheBackend startServerAndBackend() {
		this.server = MemcachedServer.start();
		MemcachedOptions options = new MemcachedOptions();
		options.setOperationTimeout(TIMEOUT);
		return new MemcachedCacheBackend(CacheSettings.builder("async").location(this.server.location()).build(),
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

	/**
	 * {@code flush_all} is answered by callbacks of its own (spymemcached's flush future never tells its listeners,
	 * which made every async clear wait out the timeout and count as a failure).
	 */
	@Test
	void asyncClearIsAnsweredNotTimedOut() {
		long errors = this.cache.statistics().errors();
		assertThat(this.cache.async().clear()).succeedsWithin(Duration.ofSeconds(5));
		assertThat(this.cache.statistics().errors()).as("errors").isEqualTo(errors);
		assertThat(this.cache.get("key-1")).isNull();
	}

}
