package io.cacheframework.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An asynchronous API on a client's own futures (issue 16): 1,000 {@code async().get} calls at once hold no thread of
 * their own, on a live server and on a server stopped by SIGSTOP, where every call completes as a miss within the
 * operation timeout and a margin, none exceptionally. A subclass starts its own server and a backend on it.
 */
public abstract class AbstractAsyncLoadTests {

	private static final int CALLS = 1000;

	/** The operation timeout the backend must be given. */
	protected static final Duration TIMEOUT = Duration.ofMillis(500);

	/** The backend under test, on the subclass's server. */
	protected CacheBackend cache;

	private final List<String> keys = new ArrayList<>();

	/**
	 * Start a server of the store and a backend on it with {@link #TIMEOUT} as its operation timeout.
	 * @return the backend
	 */
	protected abstract CacheBackend startServerAndBackend();

	/** Stop the server with SIGSTOP. */
	protected abstract void pauseServer();

	/** Let the server go on (SIGCONT); harmless when it was not paused. */
	protected abstract void resumeServer();

	/** Stop the server for good. */
	protected abstract void closeServer();

	@BeforeEach
	void start() {
		this.cache = startServerAndBackend();
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
		resumeServer();
		this.cache.close();
		closeServer();
	}

	@Test
	void thousandConcurrentAsyncGetsHoldNoThreadOfTheirOwn() {
		AsyncLoad load = AsyncLoad.gets(this.cache, this.keys, Duration.ofSeconds(10));
		System.out.println(this.cache.backendName() + " async gets: " + load);
		Map<Integer, Object> values = load.assertAllCompletedNormally();
		for (int i = 0; i < CALLS; i++) {
			assertThat(values.get(i)).isEqualTo("value " + i);
		}
		load.assertThreadsBounded(10);
	}

	@Test
	void asyncGetsOnAStoppedServerAllCompleteAsMissesWithinTheTimeout() {
		pauseServer();
		long bound = TIMEOUT.toMillis() + 2000;
		long started = System.nanoTime();
		AsyncLoad load = AsyncLoad.gets(this.cache, this.keys, Duration.ofMillis(bound));
		long millis = (System.nanoTime() - started) / 1_000_000;
		System.out.println(this.cache.backendName() + " async gets on a stopped server: " + load + ", all done in "
				+ millis + " ms");
		assertThat(load.inFlight).as("calls waiting for the stopped server").isPositive();
		Map<Integer, Object> values = load.assertAllCompletedNormally();
		assertThat(values.values()).as("misses").containsOnlyNulls();
		assertThat(millis).isLessThan(bound);
		load.assertThreadsBounded(10);
		assertThat(this.cache.statistics().errors()).as("counted as failures").isPositive();
	}

}
