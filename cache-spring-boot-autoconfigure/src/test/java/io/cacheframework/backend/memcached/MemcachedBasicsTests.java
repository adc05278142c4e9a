package io.cacheframework.backend.memcached;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Backend-specific behaviour against a real memcached: native operations, key validation, too-large values,
 * locations and statistics.
 */
class MemcachedBasicsTests extends MemcachedBackendTestSupport {

	@Test
	void invalidKeysThrowDjangosFirstMessageBeforeAnyIo() throws Exception {
		long commandsBefore = server.stat("cmd_get") + server.stat("cmd_set") + server.stat("cmd_touch");
		String tooLong = "a".repeat(248);
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.get(tooLong))
			.withMessage("Cache key will cause errors if used with memcached: ':1:" + tooLong + "' (longer than 250)");
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.set("key with spaces", 1))
			.withMessage("Cache key contains characters that will cause errors if used with memcached: "
					+ "':1:key with spaces'");
		// Length is checked first, and only the first problem is reported.
		assertThatExceptionOfType(InvalidCacheKeyException.class)
			.isThrownBy(() -> this.cache.add(tooLong + " ", 1))
			.withMessageContaining("(longer than 250)");
		// 84 euro signs: under 250 characters, 252 UTF-8 bytes.
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.touch("€".repeat(84)));
		String injection = "x\r\nset pwn 0 0 1\r\nX";
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.set(injection, "v"));
		assertThatExceptionOfType(InvalidCacheKeyException.class)
			.isThrownBy(() -> this.cache.getMany(List.of("good", "bad key")));
		assertThatExceptionOfType(InvalidCacheKeyException.class)
			.isThrownBy(() -> this.cache.setMany(Map.of("bad\u007fkey", 1)));
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.incr("bad\0key"));
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.delete("a\tb"));
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.hasKey("a\nb"));
		assertThatExceptionOfType(InvalidCacheKeyException.class)
			.isThrownBy(() -> this.cache.deleteMany(List.of("a b")));
		assertThat(server.stat("cmd_get") + server.stat("cmd_set") + server.stat("cmd_touch"))
			.isEqualTo(commandsBefore);
		assertThat(server.rawGet("pwn")).isNull();
		// Non-ASCII is fine, as in Django.
		this.cache.set("清", "ok");
		assertThat(this.cache.get("清")).isEqualTo("ok");
	}

	@Test
	void nativeBulkOperations() {
		Map<String, Object> values = new LinkedHashMap<>();
		for (int i = 0; i < 50; i++) {
			values.put("k" + i, i);
		}
		assertThat(this.cache.setMany(values)).isEmpty();
		Map<String, Object> found = this.cache.getMany(List.of("k1", "k2", "missing", "k49"));
		assertThat(found).containsExactly(Map.entry("k1", 1), Map.entry("k2", 2), Map.entry("k49", 49));
		this.cache.deleteMany(List.of("k1", "k2"));
		assertThat(this.cache.getMany(values.keySet())).hasSize(48);
		assertThat(this.cache.getMany(List.of())).isEmpty();
	}

	@Test
	void setManyReportsTheKeysThatFailed() {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("ok", "small");
		values.put("huge", randomBytes(2 * 1024 * 1024));
		values.put("unserializable", new Object());
		assertThat(this.cache.setMany(values)).containsExactlyInAnyOrder("huge", "unserializable");
		assertThat(this.cache.get("ok")).isEqualTo("small");
	}

	@Test
	void addTouchAndDelete() {
		assertThat(this.cache.add("k", "first")).isTrue();
		assertThat(this.cache.add("k", "second")).isFalse();
		assertThat(this.cache.get("k")).isEqualTo("first");
		assertThat(this.cache.touch("k", Timeout.NEVER)).isTrue();
		assertThat(this.cache.touch("missing")).isFalse();
		assertThat(this.cache.delete("k")).isTrue();
		assertThat(this.cache.delete("k")).isFalse();
		this.cache.set("expiring", "v");
		assertThat(this.cache.touch("expiring", Timeout.seconds(0))).isTrue();
		assertThat(this.cache.get("expiring")).isNull();
	}

	@Test
	void incrAndDecrAreNativeAndAtomic() throws Exception {
		this.cache.set("n", 5);
		assertThat(this.cache.incr("n", 10)).isEqualTo(15);
		assertThat(this.cache.decr("n", 20)).isZero();
		assertThat(this.cache.incr("n", -3)).isZero();
		assertThat(this.cache.get("n")).isEqualTo(0);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incr("nope"))
			.withMessage("Key ':1:nope' not found");
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.decr("nope"));
		this.cache.set("counter", 0);
		List<Thread> threads = new java.util.ArrayList<>();
		for (int t = 0; t < 4; t++) {
			threads.add(startThread(() -> {
				for (int i = 0; i < 250; i++) {
					this.cache.incr("counter");
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		assertThat(this.cache.get("counter")).isEqualTo(1000);
	}

	@Test
	void clearFlushesTheWholeServer() throws Exception {
		this.cache.set("mine", 1);
		server.rawSet("not-mine", 0, new byte[] { 1 });
		this.cache.clear();
		assertThat(this.cache.get("mine")).isNull();
		assertThat(server.rawGet("not-mine")).isNull();
	}

	@Test
	void tooLargeValueFailsAloneDeletesTheOldValueAndKeepsTheConnection() throws Exception {
		this.cache.set("small", "a");
		this.cache.set("other", "kept");
		// Each stat() opens one probe connection; a reconnect by the client would open one more.
		long connections = server.stat("total_connections");
		this.cache.set("small", randomBytes(1024 * 1024 + 1));
		assertThat(this.cache.hasKey("small")).isFalse();
		this.cache.set("small", randomBytes(3 * 1024 * 1024));
		assertThat(this.cache.add("new", randomBytes(2 * 1024 * 1024))).isFalse();
		assertThat(this.cache.get("other")).isEqualTo("kept");
		this.cache.set("next", "works");
		assertThat(this.cache.get("next")).isEqualTo("works");
		assertThat(server.stat("total_connections")).isEqualTo(connections + 1);
		// Just under the limit is stored.
		byte[] almost = randomBytes(1024 * 1024 - 200);
		this.cache.set("almost", almost);
		assertThat(java.util.Arrays.equals((byte[]) this.cache.get("almost"), almost)).isTrue();
		assertThat(server.stat("total_connections")).isEqualTo(connections + 2);
	}

	@Test
	void serversReportsLivenessAndStatistics() {
		this.cache.set("a", 1);
		this.cache.get("a");
		this.cache.get("b");
		Map<String, MemcachedCacheBackend.ServerStatus> servers = this.cache.servers();
		assertThat(servers).containsOnlyKeys(server.address());
		MemcachedCacheBackend.ServerStatus status = servers.get(server.address());
		assertThat(status.alive()).isTrue();
		// flush_all removes items lazily, so earlier tests' items may still be counted.
		assertThat(status.stat("curr_items")).isGreaterThanOrEqualTo(1);
		assertThat(status.stat("get_hits")).isGreaterThanOrEqualTo(1);
		assertThat(status.stat("get_misses")).isGreaterThanOrEqualTo(1);
		assertThat(status.stats()).containsKeys("bytes", "evictions", "uptime");
	}

	@Test
	void anUnresolvableHostIsLeftOutAndTheOthersServeItsKeys() {
		try (MemcachedCacheBackend cache = new MemcachedCacheBackend(
				CacheSettings.builder("partly").location("nosuch.invalid:11211;" + server.location()).build())) {
			for (int i = 0; i < 50; i++) {
				cache.set("key" + i, i);
			}
			assertThat(cache.getMany(java.util.stream.IntStream.range(0, 50).mapToObj((i) -> "key" + i).toList()))
				.hasSize(50);
			assertThat(cache.servers()).containsOnlyKeys("nosuch.invalid:11211", server.address());
			assertThat(cache.servers().get("nosuch.invalid:11211").alive()).isFalse();
			assertThat(cache.servers().get(server.address()).alive()).isTrue();
		}
	}

	@Test
	void binaryProtocolAndSeveralConnections() throws Exception {
		MemcachedOptions options = new MemcachedOptions();
		options.setProtocol(MemcachedOptions.Protocol.BINARY);
		options.setConnections(3);
		try (MemcachedCacheBackend binary = new MemcachedCacheBackend(
				CacheSettings.builder("binary").location(server.location()).build(), options,
				new io.cacheframework.serializer.DefaultValueSerializer())) {
			binary.set("username", "guyan");
			binary.set("answer", 41);
			assertThat(server.rawGet(":1:username").flags()).isEqualTo(16);
			assertThat(binary.incr("answer")).isEqualTo(42);
			assertThat(binary.get("answer")).isEqualTo(42);
			assertThat(binary.add("username", "x")).isFalse();
			assertThat(binary.touch("username", Timeout.seconds(60))).isTrue();
			assertThat(binary.getMany(List.of("username", "answer", "missing"))).hasSize(2);
			binary.set("huge", randomBytes(2 * 1024 * 1024));
			assertThat(binary.hasKey("huge")).isFalse();
			assertThat(binary.delete("username")).isTrue();
			assertThat(binary.servers().get(server.address()).alive()).isTrue();
			assertThat(binary.statistics().errors()).isEqualTo(1);
		}
	}

	@Test
	void locationForms() {
		assertThat(MemcachedLocation.split("a:11211;b:11212")).containsExactly("a:11211", "b:11212");
		assertThat(MemcachedLocation.split("a:11211, b:11212 ,")).containsExactly("a:11211", "b:11212");
		assertThat(MemcachedLocation.split("unix:/run/memcached.sock"))
			.containsExactly("unix:/run/memcached.sock");
		assertThat(MemcachedLocation.parseHostAndPort("127.0.0.1"))
			.isEqualTo(new InetSocketAddress("127.0.0.1", 11211));
		assertThat(MemcachedLocation.parseHostAndPort("[::1]:11300"))
			.isEqualTo(new InetSocketAddress("::1", 11300));
		assertThatIllegalArgumentException().isThrownBy(() -> MemcachedLocation.split(" ; "));
		assertThatIllegalArgumentException().isThrownBy(() -> MemcachedLocation.parseHostAndPort("h:99999"));
		assertThatIllegalArgumentException().isThrownBy(() -> new MemcachedCacheBackend(
				CacheSettings.builder("mixed").location("127.0.0.1:1;unix:/tmp/x.sock").build()));
	}

	private static Thread startThread(Runnable task) {
		Thread thread = new Thread(task);
		thread.start();
		return thread;
	}

	static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new java.util.Random(length).nextBytes(bytes);
		return bytes;
	}

}
