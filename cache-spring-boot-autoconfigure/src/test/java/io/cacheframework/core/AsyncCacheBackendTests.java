package io.cacheframework.core;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The asynchronous API's own rules, beyond the contract (which {@code *AsyncContractTests} run through it): where
 * calls run, that an outage completes normally while a caller's mistake fails the future, that a full executor is a
 * miss, and that blocking and asynchronous {@code getOrSet} share one load.
 */
class AsyncCacheBackendTests {

	@Test
	void aStoreWithoutAnAsyncClientRunsOnTheExecutorNotInTheCaller() throws Exception {
		CacheExecutor executor = new CacheExecutor(1, 10);
		try (MapBackend backend = new MapBackend(CacheSettings.builder("map").executor(executor).build())) {
			backend.async().set("k", "v").get(5, TimeUnit.SECONDS);
			assertThat(backend.async().get("k").get(5, TimeUnit.SECONDS)).isEqualTo("v");
			assertThat(backend.threads).allMatch((name) -> name.startsWith("cache-async-"));
		}
		finally {
			executor.close();
		}
	}

	@Test
	void locmemCompletesInTheCaller() {
		try (LocMemCacheBackend backend = new LocMemCacheBackend(
				CacheSettings.builder("async-locmem").location("async-locmem-" + System.nanoTime()).build())) {
			CompletableFuture<Void> set = backend.async().set("k", "v");
			assertThat(set).isDone();
			assertThat(backend.async().get("k")).isCompletedWithValue("v");
		}
	}

	@Test
	void anOutageCompletesNormallyAsAMissOrAFailedWrite() throws Exception {
		try (MapBackend backend = new MapBackend(CacheSettings.builder("down").build())) {
			backend.down = true;
			assertThat(backend.async().get("k").get(5, TimeUnit.SECONDS)).isNull();
			assertThat(backend.async().getOrDefault("k", "d").get(5, TimeUnit.SECONDS)).isEqualTo("d");
			assertThat(backend.async().add("k", "v").get(5, TimeUnit.SECONDS)).isFalse();
			assertThat(backend.async().delete("k").get(5, TimeUnit.SECONDS)).isFalse();
			assertThat(backend.async().getMany(List.of("a", "b")).get(5, TimeUnit.SECONDS)).isEmpty();
			assertThat(backend.async().setMany(Map.of("a", 1)).get(5, TimeUnit.SECONDS)).containsExactly("a");
			backend.async().set("k", "v").get(5, TimeUnit.SECONDS);
			// A counter that cannot be reached is a missing counter, as in the blocking API.
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(backend.async().incr("k")))
				.isInstanceOf(NoSuchElementException.class);
			assertThat(backend.statistics().errors()).isEqualTo(8);
		}
	}

	@Test
	void aCallersMistakeFailsTheFutureWithTheBlockingException() {
		try (MapBackend backend = new MapBackend(CacheSettings.builder("mistakes").build())) {
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(backend.async().get("invoice\uD800")))
				.isInstanceOf(InvalidCacheKeyException.class);
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(backend.async().set("k", new Object())))
				.isInstanceOf(ValueNotStorableException.class);
			backend.set("text", "not a number");
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(backend.async().incr("text")))
				.isInstanceOf(IllegalStateException.class);
		}
	}

	@Test
	void aFullExecutorIsAMissNotAQueueWithoutEnd() throws Exception {
		CacheExecutor executor = new CacheExecutor(1, 1);
		CountDownLatch release = new CountDownLatch(1);
		try (MapBackend backend = new MapBackend(CacheSettings.builder("full").executor(executor).build())) {
			backend.set("k", "v");
			// Occupy the thread and the one queue slot.
			executor.execute(() -> await(release));
			executor.execute(() -> {
			});
			CompletableFuture<@Nullable Object> refused = backend.async().get("k");
			assertThat(refused.get(5, TimeUnit.SECONDS)).isNull();
			assertThat(backend.statistics().errors()).isEqualTo(1);
			release.countDown();
			// Served again as soon as the executor has room.
			Object value = null;
			for (int attempt = 0; attempt < 500 && value == null; attempt++) {
				value = backend.async().get("k").get(5, TimeUnit.SECONDS);
				Thread.sleep(10);
			}
			assertThat(value).isEqualTo("v");
		}
		finally {
			executor.close();
		}
	}

	@Test
	void blockingAndAsyncGetOrSetShareOneLoad() throws Exception {
		try (MapBackend backend = new MapBackend(CacheSettings.builder("shared-flight").build())) {
			AtomicInteger loads = new AtomicInteger();
			CountDownLatch loading = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			Thread blocking = new Thread(() -> backend.getOrSet("k", () -> {
				loads.incrementAndGet();
				loading.countDown();
				await(release);
				return "loaded";
			}));
			blocking.start();
			assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<@Nullable String> joined = backend.async().getOrSet("k", () -> {
				loads.incrementAndGet();
				return CompletableFuture.completedFuture("second");
			});
			// The async caller holds no thread while it waits for the blocking leader.
			assertThat(joined).isNotDone();
			release.countDown();
			assertThat(joined.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
			blocking.join(5000);
			assertThat(loads).hasValue(1);
		}
	}

	@Test
	void aFailingAsyncLoadFailsEveryoneWaitingForIt() throws InterruptedException {
		// In the caller: a waiter's miss must be read before the load fails, or it would lead a flight of its own.
		try (MapBackend backend = new MapBackend(CacheSettings.builder("failing-flight").build(), true)) {
			CompletableFuture<String> load = new CompletableFuture<>();
			CountDownLatch loading = new CountDownLatch(1);
			CompletableFuture<@Nullable String> leader = backend.async().getOrSet("k", () -> {
				loading.countDown();
				return load;
			});
			assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<@Nullable String> waiter = backend.async()
				.getOrSet("k", () -> CompletableFuture.completedFuture("never"));
			IllegalArgumentException failure = new IllegalArgumentException("loader failed");
			load.completeExceptionally(failure);
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(leader)).isSameAs(failure);
			assertThatThrownBy(() -> AsyncJoiningCacheBackend.join(waiter)).isSameAs(failure);
			assertThat(backend.hasKey("k")).isFalse();
		}
	}

	@Test
	void aBackendThatOnlyImplementsCacheBackendGetsAnAsyncViewOnTheExecutor() throws Exception {
		try (MapBackend inner = new MapBackend(CacheSettings.builder("custom").build())) {
			CacheBackend custom = MonitoredCacheBackend.of(new AsyncJoiningCacheBackend(inner),
					CacheSettings.builder("custom").build(), "custom");
			custom.async().set("k", "v").get(5, TimeUnit.SECONDS);
			assertThat(custom.async().get("k").get(5, TimeUnit.SECONDS)).isEqualTo("v");
			assertThat(custom.statistics().hits()).isEqualTo(1);
			assertThat(custom.statistics().sets()).isEqualTo(1);
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A store in a map, with no asynchronous client, that can be taken down and records the threads it ran on.
	 */
	static final class MapBackend extends AbstractCacheBackend {

		final Map<String, Object> entries = new ConcurrentHashMap<>();

		final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

		volatile boolean down;

		private final boolean completesInCaller;

		MapBackend(CacheSettings settings) {
			this(settings, false);
		}

		MapBackend(CacheSettings settings, boolean completesInCaller) {
			super(settings);
			this.completesInCaller = completesInCaller;
		}

		@Override
		protected boolean completesInCaller() {
			return this.completesInCaller;
		}

		private void call() {
			this.threads.add(Thread.currentThread().getName());
			if (this.down) {
				throw new CacheAccessException("store is down");
			}
		}

		@Override
		protected @Nullable Object doGet(String key) {
			call();
			Object value = this.entries.get(key);
			return (value != null) ? value : NOT_FOUND;
		}

		@Override
		protected void doSet(String key, @Nullable Object value, Timeout timeout) {
			call();
			if (value != null && !(value instanceof java.io.Serializable)) {
				throw new ValueNotStorableException("not serializable: " + value.getClass().getName());
			}
			this.entries.put(key, value);
		}

		@Override
		protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
			call();
			return this.entries.putIfAbsent(key, value) == null;
		}

		@Override
		protected boolean doTouch(String key, Timeout timeout) {
			call();
			return this.entries.containsKey(key);
		}

		@Override
		protected boolean doDelete(String key) {
			call();
			return this.entries.remove(key) != null;
		}

		@Override
		protected void doClear() {
			call();
			this.entries.clear();
		}

	}

}
