package io.cacheframework.backend.memcached;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * RELIABILITY.md §7 A6 (CVE-2020-13254 class) over TCP and over a unix socket: every key memcached would misread
 * (too long in UTF-8 bytes, whitespace, CR/LF, NUL, DEL) is refused before any byte is sent, by every operation,
 * including a {@code getMany} of 99 good keys and one bad one (refused whole); and afterwards 10,000 random valid keys
 * (any printable ASCII, non-ASCII, up to the 250-byte limit) each read back their own value, so nothing the bad
 * keys did left the connection out of step.
 */
class MemcachedKeyInjectionTests {

	private static final List<String> BAD_KEYS = List.of("a".repeat(248), "€".repeat(84), "a b", "a\r\nb",
			"x\r\nset pwn 0 0 1\r\nX", "nul\0key", "del\u007fkey", "tab\tkey", "\n");

	@ParameterizedTest(name = "unix socket: {0}")
	@ValueSource(booleans = { false, true })
	void badKeysAreRefusedBeforeAnyIoAndGoodKeysStayInStep(boolean unix) throws Exception {
		try (MemcachedServer server = unix ? MemcachedServer.startUnix() : MemcachedServer.start();
				MemcachedCacheBackend backend = new MemcachedCacheBackend(
						CacheSettings.builder("injection").location(server.location()).build(),
						MemcachedClusterTests.fastOptions(), new DefaultValueSerializer())) {
			CacheBackend cache = backend;
			cache.set("canary", "v-canary");
			List<String> ninetyNine = new ArrayList<>();
			for (int i = 0; i < 99; i++) {
				ninetyNine.add("good" + i);
			}
			long commands = commands(server);
			for (String bad : BAD_KEYS) {
				List<String> keys = new ArrayList<>(ninetyNine);
				keys.add(37, bad);
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.getMany(keys));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.get(bad));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.set(bad, "x"));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.add(bad, "x"));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.delete(bad));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.touch(bad));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.hasKey(bad));
				assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cache.incr(bad));
				assertThatExceptionOfType(InvalidCacheKeyException.class)
					.isThrownBy(() -> cache.setMany(Map.of("fine", 1, bad, 2)));
				assertThatExceptionOfType(InvalidCacheKeyException.class)
					.isThrownBy(() -> cache.deleteMany(List.of("fine", bad)));
			}
			assertThat(commands(server)).as("commands the server received").isEqualTo(commands);
			assertThat(server.rawGet("pwn")).isNull();
			assertThat(cache.get("canary")).isEqualTo("v-canary");
			assertThat(cache.hasKey("fine")).isFalse();

			Map<String, Object> values = randomKeys(new Random(unix ? 6 : 7), 10_000);
			List<Map<String, Object>> batches = batches(values, 500);
			for (Map<String, Object> batch : batches) {
				assertThat(cache.setMany(batch)).isEmpty();
			}
			for (Map<String, Object> batch : batches) {
				assertThat(cache.getMany(batch.keySet())).isEqualTo(batch);
			}
			int checked = 0;
			for (Map.Entry<String, Object> entry : values.entrySet()) {
				if (checked++ % 10 == 0) {
					assertThat(cache.get(entry.getKey())).as("key %s", entry.getKey()).isEqualTo(entry.getValue());
				}
			}
			assertThat(backend.statistics().errors()).isZero();
		}
	}

	private static long commands(MemcachedServer server) throws Exception {
		return server.stat("cmd_get") + server.stat("cmd_set") + server.stat("cmd_touch") + server.stat("cmd_flush")
				+ server.stat("delete_hits") + server.stat("delete_misses") + server.stat("incr_hits")
				+ server.stat("incr_misses");
	}

	/**
	 * Distinct valid keys: printable ASCII without space, some non-ASCII text (2-, 3- and 4-byte UTF-8), of any
	 * length up to what keeps the made key ({@code :1:} + key) within 250 UTF-8 bytes. The value names its key.
	 */
	static Map<String, Object> randomKeys(Random random, int count) {
		String[] others = { "é", "清", "€", "😀", "ß" };
		Map<String, Object> values = new LinkedHashMap<>();
		while (values.size() < count) {
			int budget = 1 + random.nextInt((random.nextInt(10) == 0) ? 247 : 40);
			StringBuilder key = new StringBuilder();
			int bytes = 0;
			while (true) {
				String next = (random.nextInt(8) == 0) ? others[random.nextInt(others.length)]
						: String.valueOf((char) (33 + random.nextInt(94)));
				int length = next.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
				if (bytes + length > budget) {
					break;
				}
				key.append(next);
				bytes += length;
			}
			if (key.length() > 0) {
				values.put(key.toString(), "v-" + key);
			}
		}
		return values;
	}

	private static List<Map<String, Object>> batches(Map<String, Object> values, int size) {
		List<Map<String, Object>> batches = new ArrayList<>();
		Map<String, Object> batch = new HashMap<>();
		for (Map.Entry<String, Object> entry : values.entrySet()) {
			batch.put(entry.getKey(), entry.getValue());
			if (batch.size() == size) {
				batches.add(batch);
				batch = new HashMap<>();
			}
		}
		if (!batch.isEmpty()) {
			batches.add(batch);
		}
		return batches;
	}

}
