package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.AsyncLoad;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis's asynchronous API on Lettuce's futures (issue 16): 1,000 {@code async().get} calls at once hold no
 * thread of their own, on a live server and on a server stopped by SIGSTOP, where every call completes as a miss
 * within the operation timeout and a margin, none exceptionally.
 */
class RedisAsyncTests {

	private static final int CALLS = 1000;

	private static final long TIMEOUT_MILLIS = 500;

	private RedisServer server;

	private CacheBackend cache;

	private final List<String> keys = new ArrayList<>();

	@BeforeEach
	void start() {
		this.server = RedisServer.start();
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(Duration.ofMillis(TIMEOUT_MILLIS));
		this.cache = new RedisCacheBackend(CacheSettings.builder("async").location(this.server.location(0)).build(),
				options, new DefaultValueSerializer());
		Map<String, Object> values = new LinkedHashMap<>();
		for (int i = 0; i < CALLS; i++) {
			this.keys.add("key-" + i);
			values.put("key-" + i, "value " + i);
		}
		assertThat(this.cache.setMany(values)).isEmpty();
		// The clients' own threads (I/O, listeners, the timeout scheduler) start on first use: before the count.
		AsyncLoad.gets(this.cache, this.keys, Duration.ofSeconds(10)).assertAllCompletedNormally();
	}

	@AfterEach
	void stop() {
		this.server.resume();
		this.cache.close();
		this.server.close();
	}

	@Test
	void thousandConcurrentAsyncGetsHoldNoThreadOfTheirOwn() {
		AsyncLoad load = AsyncLoad.gets(this.cache, this.keys, Duration.ofSeconds(10));
		System.out.println("redis async gets: " + load);
		Map<Integer, Object> values = load.assertAllCompletedNormally();
		for (int i = 0; i < CALLS; i++) {
			assertThat(values.get(i)).isEqualTo("value " + i);
		}
		load.assertThreadsBounded(10);
	}

	@Test
	void asyncGetsOnAStoppedServerAllCompleteAsMissesWithinTheTimeout() {
		this.server.pause();
		long started = System.nanoTime();
		AsyncLoad load = AsyncLoad.gets(this.cache, this.keys, Duration.ofMillis(TIMEOUT_MILLIS + 2000));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println("redis async gets on a stopped server: " + load + ", all done in " + millis + " ms");
		assertThat(load.inFlight).as("calls waiting for the stopped server").isPositive();
		Map<Integer, Object> values = load.assertAllCompletedNormally();
		assertThat(values.values()).as("misses").containsOnlyNulls();
		assertThat(millis).isLessThan(TIMEOUT_MILLIS + 2000);
		load.assertThreadsBounded(10);
		assertThat(this.cache.statistics().errors()).as("counted as failures").isPositive();
	}

}
