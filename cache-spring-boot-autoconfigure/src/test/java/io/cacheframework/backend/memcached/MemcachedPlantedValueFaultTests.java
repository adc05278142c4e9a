package io.cacheframework.backend.memcached;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values planted in memcached by anyone who can write to it, as a Python client would write an {@code int} (flags 2
 * or 4): a number of a million digits would take seconds to parse on every read ({@code new BigInteger} is
 * quadratic) and stay, being "valid". It must be a fast miss, and be deleted.
 *
 * <p>Timing: a read of the planted million-digit value must be back within 1 s (it took 12 s; reading the 1 MB
 * value itself takes a few milliseconds), with the operation timeout at 1 s so that a loaded machine cannot fail it.
 */
class MemcachedPlantedValueFaultTests {

	private static final byte[] MILLION_DIGITS = digits(1_000_000);

	private static byte[] digits(int count) {
		byte[] digits = new byte[count];
		Arrays.fill(digits, (byte) '7');
		return digits;
	}

	private static MemcachedCacheBackend cache(MemcachedServer server) {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setOperationTimeout(Duration.ofSeconds(1));
		return new MemcachedCacheBackend(CacheSettings.builder("planted").location(server.location()).build(),
				options, new DefaultValueSerializer());
	}

	private static MemcachedServer server(boolean unix) {
		return unix ? MemcachedServer.startUnix() : MemcachedServer.start();
	}

	@ParameterizedTest(name = "unix socket: {0}")
	@ValueSource(booleans = { false, true })
	void aMillionDigitIntegerIsAFastMissAndIsDeleted(boolean unix) throws Exception {
		try (MemcachedServer server = server(unix); MemcachedCacheBackend cache = cache(server)) {
			for (int flags : new int[] { 2, 4 }) {
				assertThat(server.rawSet(":1:planted", flags, MILLION_DIGITS)).isEqualTo("STORED");
				long start = System.nanoTime();
				assertThat(cache.get("planted")).isNull();
				long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
				assertThat(millis).as("read of a planted million-digit int (flags " + flags + "), ms")
					.isLessThan(1000);
				assertThat(server.rawGet(":1:planted")).as("deleted").isNull();
			}
			// The same through a multi-get: the other keys are still served.
			cache.set("good", 42);
			assertThat(server.rawSet(":1:planted", 2, MILLION_DIGITS)).isEqualTo("STORED");
			long start = System.nanoTime();
			assertThat(cache.getMany(List.of("planted", "good"))).containsOnlyKeys("good");
			assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(1000);
			assertThat(server.rawGet(":1:planted")).isNull();
		}
	}

	/**
	 * The limit is where memcached's counters end: 20 digits is an unsigned 64-bit counter and reads back; 21 is
	 * more than any counter, a miss, deleted.
	 */
	@ParameterizedTest(name = "unix socket: {0}")
	@ValueSource(booleans = { false, true })
	void integersOfUpToTwentyDigitsAreRead(boolean unix) throws Exception {
		try (MemcachedServer server = server(unix); MemcachedCacheBackend cache = cache(server)) {
			server.rawSet(":1:max", 2, "18446744073709551615".getBytes(StandardCharsets.US_ASCII));
			server.rawSet(":1:negative", 2, "-9223372036854775808".getBytes(StandardCharsets.US_ASCII));
			server.rawSet(":1:decremented", 2, "5                   ".getBytes(StandardCharsets.US_ASCII));
			server.rawSet(":1:longer", 2, "123456789012345678901".getBytes(StandardCharsets.US_ASCII));
			assertThat(cache.get("max")).isEqualTo(new BigInteger("18446744073709551615"));
			assertThat(cache.get("negative")).isEqualTo(Long.MIN_VALUE);
			assertThat(cache.get("decremented")).isEqualTo(5);
			assertThat(cache.get("longer")).isNull();
			assertThat(server.rawGet(":1:longer")).isNull();
			assertThat(server.rawGet(":1:max")).isNotNull();
		}
	}

}
