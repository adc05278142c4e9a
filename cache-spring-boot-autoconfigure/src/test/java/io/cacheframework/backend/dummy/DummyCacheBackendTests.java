package io.cacheframework.backend.dummy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Django's {@code DummyCacheTests} (CONFORMANCE item 18): the dummy backend stores nothing, so it has its own
 * expectations instead of the storing contract, but keys are still made and validated.
 */
class DummyCacheBackendTests {

	private final CacheBackend cache = new DummyCacheBackend(CacheSettings.builder("default").build());

	@AfterEach
	void close() {
		this.cache.close();
	}

	@Test
	void simple() {
		this.cache.set("key", "value");
		assertThat(this.cache.get("key")).isNull();
	}

	@Test
	void add() {
		assertThat(this.cache.add("addkey1", "value")).isTrue();
		assertThat(this.cache.add("addkey1", "newvalue")).isTrue();
		assertThat(this.cache.get("addkey1")).isNull();
	}

	@Test
	void nonExistent() {
		assertThat(this.cache.get("does_not_exist")).isNull();
		assertThat(this.cache.getOrDefault("does_not_exist", "bang!")).isEqualTo("bang!");
	}

	@Test
	void getMany() {
		this.cache.setMany(Map.of("a", "a", "b", "b", "c", "c", "d", "d"));
		assertThat(this.cache.getMany(List.of("a", "c", "d"))).isEmpty();
		assertThat(this.cache.getMany(List.of("a", "b", "e"))).isEmpty();
	}

	@Test
	void delete() {
		this.cache.setMany(Map.of("key1", "spam", "key2", "eggs"));
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.delete("key1")).isFalse();
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.get("key2")).isNull();
	}

	@Test
	void hasKey() {
		this.cache.set("hello1", "goodbye1");
		assertThat(this.cache.hasKey("hello1")).isFalse();
		assertThat(this.cache.hasKey("goodbye1")).isFalse();
	}

	@Test
	void incr() {
		this.cache.set("answer", 42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incr("answer"))
			.withMessage("Key 'answer' not found");
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incr("does_not_exist"))
			.withMessage("Key 'does_not_exist' not found");
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.incr("does_not_exist", -1));
	}

	@Test
	void decr() {
		this.cache.set("answer", 42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.decr("answer"))
			.withMessage("Key 'answer' not found");
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.decr("does_not_exist"));
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.decr("does_not_exist", -1));
	}

	@Test
	void touch() {
		this.cache.set("whatever", "value");
		assertThat(this.cache.touch("whatever")).isFalse();
		assertThat(this.cache.touch("whatever", Timeout.seconds(10))).isFalse();
	}

	@Test
	void dataTypes() {
		Map<String, Object> stuff = new LinkedHashMap<>();
		stuff.put("string", "this is a string");
		stuff.put("int", 42);
		stuff.put("list", new ArrayList<>(List.of(1, 2, 3, 4)));
		this.cache.set("data", stuff);
		assertThat(this.cache.get("data")).isNull();
	}

	@Test
	void expiration() {
		this.cache.set("expire1", "very quickly", Timeout.seconds(1));
		this.cache.set("expire2", "very quickly", Timeout.seconds(1));
		this.cache.set("expire3", "very quickly", Timeout.seconds(1));
		assertThat(this.cache.get("expire1")).isNull();
		assertThat(this.cache.add("expire2", "newvalue")).isTrue();
		assertThat(this.cache.get("expire2")).isNull();
		assertThat(this.cache.hasKey("expire3")).isFalse();
	}

	@Test
	void unicode() {
		Map<String, Object> stuff = new LinkedHashMap<>();
		stuff.put("ascii", "ascii_value");
		stuff.put("unicode_ascii", "Iñtërnâtiônàlizætiøn1");
		stuff.put("Iñtërnâtiônàlizætiøn", "Iñtërnâtiônàlizætiøn2");
		stuff.forEach((key, value) -> {
			this.cache.set(key, value);
			assertThat(this.cache.get(key)).isNull();
			assertThat(this.cache.add(key, value)).isTrue();
			assertThat(this.cache.delete(key)).isFalse();
		});
		assertThat(this.cache.setMany(stuff)).isEmpty();
		stuff.keySet().forEach((key) -> assertThat(this.cache.get(key)).isNull());
	}

	@Test
	void setMany() {
		assertThat(this.cache.setMany(Map.of("a", 1, "b", 2))).isEmpty();
		assertThat(this.cache.setMany(Map.of("a", 1, "b", 2), Timeout.seconds(2))).isEmpty();
		assertThat(this.cache.setMany(Map.of())).isEmpty();
	}

	@Test
	void deleteMany() {
		assertThatNoException().isThrownBy(() -> this.cache.deleteMany(List.of("a", "b")));
		assertThatNoException().isThrownBy(() -> this.cache.deleteMany(List.of()));
	}

	@Test
	void clear() {
		assertThatNoException().isThrownBy(this.cache::clear);
	}

	@Test
	void incrVersion() {
		this.cache.set("answer", 42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incrVersion("answer"))
			.withMessage("Key 'answer' not found");
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.incrVersion("does_not_exist"));
	}

	@Test
	void decrVersion() {
		this.cache.set("answer", 42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.decrVersion("answer"))
			.withMessage("Key 'answer' not found");
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.decrVersion("does_not_exist"));
	}

	@Test
	void getOrSetComputesEveryTime() {
		AtomicInteger calls = new AtomicInteger();
		assertThat(this.cache.getOrSet("mykey", () -> "default")).isEqualTo("default");
		assertThat(this.cache.<Object>getOrSet("mykey", () -> null)).isNull();
		assertThat(this.cache.getOrSet("mykey", calls::incrementAndGet)).isEqualTo(1);
		assertThat(this.cache.getOrSet("mykey", calls::incrementAndGet)).isEqualTo(2);
	}

	@Test
	void makeKeyIsStillApplied() {
		CacheBackend prefixed = new DummyCacheBackend(CacheSettings.builder("p").keyPrefix("myapp").version(3).build());
		assertThat(prefixed.makeKey("username")).isEqualTo("myapp:3:username");
		assertThat(prefixed.withVersion(1).makeKey("username")).isEqualTo("myapp:1:username");
	}

	// ---------------------------------------------------------------- keys are still validated

	@Test
	void invalidKeyCharactersWarnOnEveryOperation() {
		String key = "key with spaces and 清";
		assertWarnsOnEveryOperation(key,
				List.of("Cache key contains characters that will cause errors if used with memcached: ':1:" + key + "'"));
	}

	@Test
	void invalidKeyLengthWarnsOnEveryOperation() {
		String key = "a".repeat(248);
		assertWarnsOnEveryOperation(key,
				List.of("Cache key will cause errors if used with memcached: ':1:" + key + "' (longer than 250)"));
	}

	@Test
	void validKeyDoesNotWarn() {
		assertWarnsOnEveryOperation("清", List.of());
	}

	private void assertWarnsOnEveryOperation(String key, List<String> expected) {
		Map<String, Consumer<CacheBackend>> operations = new LinkedHashMap<>(
				AbstractCacheBackendTests.keyOperations(key));
		operations.put("incrVersion", (c) -> c.incrVersion(key));
		operations.forEach((name, operation) -> {
			try (LogCapture warnings = LogCapture.keyWarnings()) {
				try {
					operation.accept(this.cache);
				}
				catch (NoSuchElementException ex) {
					// incr, decr and incrVersion miss on the dummy backend, after validating the key.
				}
				assertThat(warnings.warnings()).as(name).containsExactlyElementsOf(expected);
			}
		});
	}

}
