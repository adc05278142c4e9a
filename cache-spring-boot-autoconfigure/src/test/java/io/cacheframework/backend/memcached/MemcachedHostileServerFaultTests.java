package io.cacheframework.backend.memcached;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the unix-socket client does with replies no memcached sends ({@link HostileMemcached}): every size it is
 * handed is checked before anything is allocated, every line is bounded, a reply that breaks the protocol is a miss
 * within the timeout, and the key listing of such a server ends.
 *
 * <p>Limits: {@code operation-timeout} is 300 ms and each call must be back within 300 + 250 ms (the key listing,
 * which has 2 s per step, within 2 s + 1 s); the calling thread may allocate at most 16 MB in a call (the item
 * size is 1 MB; what the server announces or streams is 2 GB or 256 MB).
 */
class MemcachedHostileServerFaultTests {

	private static final long BOUND_MILLIS = 300 + 250;

	private static final long MAX_ALLOCATION = 16 * 1024 * 1024;

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static MemcachedCacheBackend cache(HostileMemcached server) {
		return new MemcachedCacheBackend(CacheSettings.builder("hostile").location(server.location()).build(),
				MemcachedClusterTests.fastOptions(), new DefaultValueSerializer());
	}

	private static HostileMemcached server(Function<String, byte[]> script) throws Exception {
		return new HostileMemcached(script);
	}

	/** The bytes this thread allocates (HotSpot's per-thread count). */
	private static long allocated() {
		return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
			.getCurrentThreadAllocatedBytes();
	}

	private static Object boundedCall(String what, Supplier<Object> call) {
		call.get();
		long bytes = allocated();
		long start = System.nanoTime();
		Object result = call.get();
		long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		bytes = allocated() - bytes;
		assertThat(millis).as(what + ": ms").isLessThanOrEqualTo(BOUND_MILLIS);
		assertThat(bytes).as(what + ": bytes allocated").isLessThan(MAX_ALLOCATION);
		return result;
	}

	@Test
	void aValueLargerThanTheItemSizeIsRefusedBeforeAnythingIsAllocated() throws Exception {
		try (HostileMemcached server = server((line) -> line.startsWith("get ")
				? ascii("VALUE " + line.split(" ")[1] + " 0 2147483000\r\n") : ascii("ERROR\r\n"));
				MemcachedCacheBackend cache = cache(server)) {
			assertThat(boundedCall("get", () -> cache.get("k"))).isNull();
			assertThat(boundedCall("getMany", () -> cache.getMany(List.of("k", "j")))).isEqualTo(java.util.Map.of());
			assertThat(cache.statistics().errors()).isPositive();
		}
	}

	@Test
	void aReplyLineWithoutEndIsCutOff() throws Exception {
		try (HostileMemcached server = server((line) -> HostileMemcached.ENDLESS);
				MemcachedCacheBackend cache = cache(server)) {
			assertThat(boundedCall("get", () -> cache.get("k"))).isNull();
			assertThat(boundedCall("getMany", () -> cache.getMany(List.of("k", "j")))).isEqualTo(java.util.Map.of());
		}
	}

	/**
	 * A reply for another key than the one asked for, or for the same key twice, is a broken stream: a miss, never
	 * another key's value. Each is checked with a value announced at 2 GB after it, which must not be allocated.
	 */
	@Test
	void aValueForAKeyThatWasNotAskedForIsNeverServed() throws Exception {
		try (HostileMemcached server = server((line) -> line.startsWith("get ")
				? ascii("VALUE :1:other 16 5\r\nhello\r\nVALUE " + line.split(" ")[1] + " 0 2147483000\r\n")
				: ascii("ERROR\r\n")); MemcachedCacheBackend cache = cache(server)) {
			assertThat(boundedCall("get", () -> cache.get("k"))).isNull();
			assertThat(boundedCall("getMany", () -> cache.getMany(List.of("k", "other")))).isEqualTo(java.util.Map.of());
		}
	}

	@Test
	@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // A hang guard only.
	void theKeyListingOfAServerThatStreamsWithoutEndEnds() throws Exception {
		try (HostileMemcached server = server((line) -> line.startsWith("lru_crawler") ? HostileMemcached.ENDLESS
				: ascii("ERROR\r\n")); MemcachedCacheBackend cache = cache(server)) {
			long bytes = allocated();
			long start = System.nanoTime();
			assertThat(cache.inspectKeys(100)).isEmpty();
			assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThanOrEqualTo(3000);
			assertThat(allocated() - bytes).as("bytes allocated").isLessThan(MAX_ALLOCATION);
		}
	}

}
