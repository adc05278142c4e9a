package io.cacheframework.core;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.cacheframework.serializer.Zlib;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The contract every {@link CacheBackend} runs: Django's {@code BaseCacheTests} ({@code tests/cache/tests.py},
 * CONFORMANCE.md §B-§G) in JUnit 5 and AssertJ.
 *
 * <p>A backend's test class extends this class and implements {@link #createBackend(CacheSettings)}; every test
 * here then runs against it. The base builds Django's cache variants itself ({@code _caches_setting_base}), all
 * from {@link #baseSettings(String)} and all sharing the test's {@link #location() location}, as in Django:
 * <ul>
 * <li>{@link #cache} (alias {@code default}): Django's defaults;</li>
 * <li>{@link #prefixCache()}: key prefix {@code "cacheprefix"};</li>
 * <li>{@link #v2Cache()}: version 2;</li>
 * <li>{@link #customKeyCache()}: key function {@code CUSTOM-prefix-version-key} ({@link CustomKeyFunction});</li>
 * <li>{@link #cullCache()}: max-entries 30; {@link #zeroCullCache()}: max-entries 30 and cull-frequency 0.</li>
 * </ul>
 * Each test gets a fresh location from {@link #newLocation()}; every backend created through
 * {@link #newCache(CacheSettings.Builder)} is closed after the test, and the default cache is cleared first (Django's
 * {@code tearDown}).
 *
 * <p>Hooks for a backend's differences (override as needed):
 * <table>
 * <caption>Extension hooks</caption>
 * <tr><th>hook</th><th>default</th><th>override when</th></tr>
 * <tr><td>{@link #createBackend(CacheSettings)}</td><td>(abstract)</td><td>always: build the backend from the settings
 * with plain {@code new}</td></tr>
 * <tr><td>{@link #baseSettings(String)}</td><td>alias, {@link #location()}, {@link #clock}</td><td>options the backend
 * needs, e.g. a server list (call {@code super} and add to it)</td></tr>
 * <tr><td>{@link #newLocation()}</td><td>{@code "contract-<n>"}</td><td>the location must be a directory, an existing
 * table or a server list (file system: a fresh temp dir; database: a created table; memcached: the server)</td></tr>
 * <tr><td>{@link #advanceTime(Duration)}</td><td>advances {@link #clock}, and sleeps when the clock is not
 * simulated</td><td>rarely</td></tr>
 * <tr><td>{@link #clockIsSimulated()}</td><td>{@code true}</td><td>{@code false} when the backend does not read
 * {@link #clock} (memcached's server owns time; locmem on the system clock): {@code advanceTime} then really waits,
 * and tests skip the parts that would advance by minutes or days</td></tr>
 * <tr><td>{@link #supportsCulling()}</td><td>{@code true}</td><td>{@code false} for memcached: the cull tests then
 * expect every entry to survive</td></tr>
 * <tr><td>{@link #expectedCullSurvivors()}, {@link #expectedZeroCullSurvivors()}</td><td>29, 19 (locmem,
 * file system)</td><td>database: 29, 18</td></tr>
 * <tr><td>{@link #incrKeepsTimeout()}</td><td>{@code true}</td><td>the backend resets the TTL on {@code incr}
 * (Django's base {@code incr}: file system, database)</td></tr>
 * <tr><td>{@link #clearIsScopedToLocation()}</td><td>{@code true}</td><td>{@code clear()} empties more than this
 * location (memcached's {@code flush_all})</td></tr>
 * <tr><td>{@link #invalidKeysThrow()}</td><td>{@code false} (WARN on {@code CacheKeyWarning})</td><td>memcached:
 * {@link InvalidCacheKeyException} with the first problem's message</td></tr>
 * <tr><td>{@link #failedSetKeepsOldValue()}</td><td>{@code true}</td><td>a failed {@code set} of an unserializable
 * value removes the previous value</td></tr>
 * </table>
 * Backend-specific tests go in the subclass; a subclass may add its own {@code @AfterEach} (it runs before this
 * class's).
 */
public abstract class AbstractCacheBackendTests {

	private static final AtomicInteger locationSequence = new AtomicInteger();

	/**
	 * 30 days and one second: past memcached's relative-expiry limit (Django's {@code test_long_timeout}).
	 */
	protected static final Timeout THIRTY_DAYS_AND_ONE_SECOND = Timeout.seconds(60 * 60 * 24 * 30 + 1);

	/**
	 * The clock put into every backend's settings by {@link #baseSettings(String)}.
	 */
	protected final MutableClock clock = new MutableClock();

	/**
	 * The default cache (Django's {@code cache}), created before each test.
	 */
	protected CacheBackend cache;

	private final List<CacheBackend> backends = new ArrayList<>();

	private String location;

	// ---------------------------------------------------------------- hooks

	/**
	 * Create the backend under test.
	 * @param settings the settings, built from {@link #baseSettings(String)}
	 * @return a new backend
	 */
	protected abstract CacheBackend createBackend(CacheSettings settings);

	/**
	 * The settings every cache of a test starts from: the alias, this test's {@link #location()} and {@link #clock}.
	 * Override to add what the backend needs (call {@code super}).
	 * @param alias the alias
	 * @return a builder
	 */
	protected CacheSettings.Builder baseSettings(String alias) {
		return CacheSettings.builder(alias).location(location()).clock(this.clock);
	}

	/**
	 * A location no earlier test used. Called once per test for {@link #location()} and by tests that need a second,
	 * independent store.
	 * @return a location the backend accepts
	 */
	protected String newLocation() {
		return "contract-" + locationSequence.incrementAndGet();
	}

	/**
	 * Let time pass for the backend: advances {@link #clock}, and, unless {@link #clockIsSimulated()}, sleeps for
	 * the duration.
	 * @param duration how long
	 */
	protected void advanceTime(Duration duration) {
		this.clock.advance(duration);
		if (!clockIsSimulated()) {
			try {
				Thread.sleep(duration.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

	/**
	 * Whether {@link #advanceTime(Duration)} is instant, so tests may move time by minutes or days.
	 * @return {@code true} unless time really passes
	 */
	protected boolean clockIsSimulated() {
		return true;
	}

	/**
	 * Whether the backend honours max-entries and cull-frequency.
	 * @return {@code false} for memcached
	 */
	protected boolean supportsCulling() {
		return true;
	}

	/**
	 * Entries left by Django's cull test (49 sets, max-entries 30, cull-frequency 3).
	 * @return 29 for locmem, file system and database
	 */
	protected int expectedCullSurvivors() {
		return 29;
	}

	/**
	 * Entries left by Django's zero-cull test (49 sets, max-entries 30, cull-frequency 0).
	 * @return 19 for locmem and file system, 18 for the database
	 */
	protected int expectedZeroCullSurvivors() {
		return 19;
	}

	/**
	 * Whether {@code incr} keeps the entry's expiry (locmem, memcached) instead of resetting it to the default
	 * timeout (Django's base {@code incr}).
	 * @return whether the TTL is kept
	 */
	protected boolean incrKeepsTimeout() {
		return true;
	}

	/**
	 * Whether {@code clear()} leaves a cache at another {@link #newLocation() location} alone.
	 * @return {@code false} for memcached ({@code flush_all})
	 */
	protected boolean clearIsScopedToLocation() {
		return true;
	}

	/**
	 * Whether an invalid key makes every operation throw {@link InvalidCacheKeyException} (memcached) instead of
	 * logging one WARN per problem on {@code io.cacheframework.core.CacheKeyWarning}.
	 * @return whether invalid keys throw
	 */
	protected boolean invalidKeysThrow() {
		return false;
	}

	/**
	 * Whether a {@code set} that fails with {@link ValueNotStorableException} leaves the key's previous value in
	 * place.
	 * @return {@code false} if the backend removes the old value
	 */
	protected boolean failedSetKeepsOldValue() {
		return true;
	}

	// ---------------------------------------------------------------- fixture

	@BeforeEach
	void createDefaultCache() {
		this.location = newLocation();
		this.cache = newCache(baseSettings("default"));
	}

	@AfterEach
	void closeCaches() {
		RuntimeException failure = null;
		try {
			this.cache.clear();
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		List<CacheBackend> created = new ArrayList<>(this.backends);
		Collections.reverse(created);
		for (CacheBackend backend : created) {
			try {
				backend.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.backends.clear();
		if (failure != null) {
			throw failure;
		}
	}

	/**
	 * This test's location, shared by all the variants (as Django's test settings share {@code LOCATION}).
	 * @return the location
	 */
	protected final String location() {
		return this.location;
	}

	/**
	 * Create a backend that is closed after the test.
	 * @param settings the settings, usually from {@link #baseSettings(String)}
	 * @return the backend
	 */
	protected final CacheBackend newCache(CacheSettings.Builder settings) {
		CacheBackend backend = createBackend(settings.build());
		this.backends.add(backend);
		return backend;
	}

	/**
	 * Django's {@code caches["prefix"]}.
	 * @return a cache with key prefix {@code cacheprefix}
	 */
	protected final CacheBackend prefixCache() {
		return newCache(baseSettings("prefix").keyPrefix("cacheprefix"));
	}

	/**
	 * Django's {@code caches["v2"]}.
	 * @return a cache with version 2
	 */
	protected final CacheBackend v2Cache() {
		return newCache(baseSettings("v2").version(2));
	}

	/**
	 * Django's {@code caches["custom_key"]}.
	 * @return a cache with the {@link CustomKeyFunction}
	 */
	protected final CacheBackend customKeyCache() {
		return newCache(baseSettings("custom_key").keyFunction(new CustomKeyFunction()));
	}

	/**
	 * Django's {@code caches["cull"]}.
	 * @return a cache with max-entries 30
	 */
	protected final CacheBackend cullCache() {
		return newCache(baseSettings("cull").maxEntries(30));
	}

	/**
	 * Django's {@code caches["zero_cull"]}.
	 * @return a cache with max-entries 30 and cull-frequency 0
	 */
	protected final CacheBackend zeroCullCache() {
		return newCache(baseSettings("zero_cull").maxEntries(30).cullFrequency(0));
	}

	// ---------------------------------------------------------------- get, set, add, delete, hasKey

	@Test
	void simple() {
		this.cache.set("key", "value");
		assertThat(this.cache.get("key")).isEqualTo("value");
	}

	@Test
	void storedNullIsReturnedInsteadOfTheDefault() {
		this.cache.set("key_default_none", null);
		assertThat(this.cache.getOrDefault("key_default_none", "default")).isNull();
		assertThat(this.cache.hasKey("key_default_none")).isTrue();
	}

	@Test
	void storedNullThroughAddAndSetMany() {
		assertThat(this.cache.add("added_null", null)).isTrue();
		assertThat(this.cache.hasKey("added_null")).isTrue();
		assertThat(this.cache.add("added_null", "value")).isFalse();
		Map<String, @Nullable Object> values = new HashMap<>();
		values.put("many_null", null);
		assertThat(this.cache.setMany(values)).isEmpty();
		assertThat(this.cache.getOrDefault("many_null", "default")).isNull();
		assertThat(this.cache.getMany(List.of("added_null", "many_null"))).hasSize(2).containsValues((Object) null);
	}

	@Test
	void add() {
		assertThat(this.cache.add("addkey1", "value")).isTrue();
		assertThat(this.cache.add("addkey1", "newvalue")).isFalse();
		assertThat(this.cache.get("addkey1")).isEqualTo("value");
	}

	@Test
	void addOfStoredNullFails() {
		this.cache.set("null", null);
		assertThat(this.cache.add("null", "value")).isFalse();
		assertThat(this.cache.getOrDefault("null", "default")).isNull();
	}

	@Test
	void prefix() {
		CacheBackend prefixed = prefixCache();
		this.cache.set("somekey", "value");
		assertThat(prefixed.hasKey("somekey")).isFalse();
		prefixed.set("somekey", "value2");
		assertThat(this.cache.get("somekey")).isEqualTo("value");
		assertThat(prefixed.get("somekey")).isEqualTo("value2");
	}

	@Test
	void nonExistent() {
		assertThat(this.cache.get("does_not_exist")).isNull();
		assertThat(this.cache.getOrDefault("does_not_exist", "bang!")).isEqualTo("bang!");
	}

	@Test
	void getTyped() {
		this.cache.set("answer", 42);
		assertThat(this.cache.get("answer", Integer.class)).isEqualTo(42);
		assertThat(this.cache.get("answer", int.class)).isEqualTo(42);
		assertThat(this.cache.get("answer", Number.class)).isEqualTo(42);
		assertThat(this.cache.get("missing", Integer.class)).isNull();
		assertThatIllegalStateException().isThrownBy(() -> this.cache.get("answer", String.class));
	}

	@Test
	void delete() {
		this.cache.setMany(Map.of("key1", "spam", "key2", "eggs"));
		assertThat(this.cache.get("key1")).isEqualTo("spam");
		assertThat(this.cache.delete("key1")).isTrue();
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.get("key2")).isEqualTo("eggs");
	}

	@Test
	void deleteNonexistent() {
		assertThat(this.cache.delete("nonexistent_key")).isFalse();
	}

	@Test
	void hasKey() {
		this.cache.set("hello1", "goodbye1");
		assertThat(this.cache.hasKey("hello1")).isTrue();
		assertThat(this.cache.hasKey("goodbye1")).isFalse();
		this.cache.set("no_expiry", "here", Timeout.NEVER);
		assertThat(this.cache.hasKey("no_expiry")).isTrue();
		this.cache.set("null", null);
		assertThat(this.cache.hasKey("null")).isTrue();
	}

	@Test
	void clear() {
		this.cache.set("key1", "spam");
		this.cache.set("key2", "eggs");
		this.cache.clear();
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.get("key2")).isNull();
	}

	@Test
	void clearScope() {
		CacheBackend other = newCache(baseSettings("other").location(newLocation()));
		this.cache.set("key", "here");
		other.set("otherkey", "there");
		this.cache.clear();
		assertThat(this.cache.get("key")).isNull();
		if (clearIsScopedToLocation()) {
			assertThat(other.get("otherkey")).isEqualTo("there");
		}
		else {
			assertThat(other.get("otherkey")).isNull();
		}
	}

	@Test
	void closeIsIdempotent() {
		CacheBackend backend = createBackend(baseSettings("closing").build());
		backend.close();
		assertThatNoException().isThrownBy(backend::close);
	}

	// ---------------------------------------------------------------- bulk operations

	@Test
	void getMany() {
		this.cache.setMany(Map.of("a", "a", "b", "b", "c", "c", "d", "d"));
		assertThat(this.cache.getMany(List.of("a", "c", "d"))).isEqualTo(Map.of("a", "a", "c", "c", "d", "d"));
		assertThat(this.cache.getMany(List.of("a", "b", "e"))).isEqualTo(Map.of("a", "a", "b", "b"));
		assertThat(this.cache.getMany(new LinkedHashSet<>(List.of("b", "e")))).isEqualTo(Map.of("b", "b"));
		assertThat(this.cache.getMany(List.of())).isEmpty();
	}

	@Test
	void getManyIncludesStoredNulls() {
		this.cache.set("k", "v");
		this.cache.set("none", null);
		Map<String, @Nullable Object> expected = new HashMap<>();
		expected.put("k", "v");
		expected.put("none", null);
		assertThat(this.cache.getMany(List.of("k", "none", "missing"))).isEqualTo(expected);
	}

	@Test
	void getManyIsKeyedByTheCallersKeys() {
		CacheBackend prefixed = prefixCache();
		prefixed.set("a", 1);
		prefixed.set("b", 2);
		assertThat(prefixed.getMany(List.of("a", "b", "c"))).containsOnly(entry("a", 1), entry("b", 2));
		assertThat(this.cache.withVersion(3).getMany(List.of("a"))).isEmpty();
	}

	@Test
	void setMany() {
		assertThat(this.cache.setMany(Map.of("key1", "spam", "key2", "eggs"))).isEmpty();
		assertThat(this.cache.get("key1")).isEqualTo("spam");
		assertThat(this.cache.get("key2")).isEqualTo("eggs");
	}

	@Test
	void setManyEmpty() {
		assertThat(this.cache.setMany(Map.of())).isEmpty();
		assertThat(this.cache.setMany(Map.of(), Timeout.seconds(10))).isEmpty();
	}

	@Test
	void setManyExpiration() {
		this.cache.setMany(Map.of("key1", "spam", "key2", "eggs"), Timeout.seconds(1));
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.get("key2")).isNull();
	}

	@Test
	void deleteMany() {
		this.cache.setMany(Map.of("key1", "spam", "key2", "eggs", "key3", "ham"));
		this.cache.deleteMany(List.of("key1", "key2"));
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.get("key2")).isNull();
		assertThat(this.cache.get("key3")).isEqualTo("ham");
	}

	@Test
	void deleteManyNoKeys() {
		assertThatNoException().isThrownBy(() -> this.cache.deleteMany(List.of()));
	}

	// ---------------------------------------------------------------- incr, decr

	@Test
	void incr() {
		this.cache.set("answer", 41);
		assertThat(this.cache.incr("answer")).isEqualTo(42);
		assertThat(this.cache.get("answer")).isEqualTo(42);
		assertThat(this.cache.incr("answer", 10)).isEqualTo(52);
		assertThat(this.cache.get("answer")).isEqualTo(52);
		assertThat(this.cache.incr("answer", -10)).isEqualTo(42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incr("does_not_exist"));
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.incr("does_not_exist", -1));
		assertThat(this.cache.hasKey("does_not_exist")).isFalse();
	}

	@Test
	void decr() {
		this.cache.set("answer", 43);
		assertThat(this.cache.decr("answer")).isEqualTo(42);
		assertThat(this.cache.get("answer")).isEqualTo(42);
		assertThat(this.cache.decr("answer", 10)).isEqualTo(32);
		assertThat(this.cache.get("answer")).isEqualTo(32);
		assertThat(this.cache.decr("answer", -10)).isEqualTo(42);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.decr("does_not_exist"));
		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.decr("does_not_exist", -1));
	}

	@Test
	void incrOfExpiredKeyThrows() {
		this.cache.set("expiring", 1, Timeout.seconds(1));
		advanceTime(Duration.ofSeconds(2));
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> this.cache.incr("expiring"));
		assertThat(this.cache.hasKey("expiring")).isFalse();
	}

	@Test
	void incrOfNonNumberThrows() {
		this.cache.set("null", null);
		assertThatIllegalStateException().isThrownBy(() -> this.cache.incr("null"));
		this.cache.set("text", "forty-two");
		assertThatIllegalStateException().isThrownBy(() -> this.cache.incr("text"));
		assertThat(this.cache.get("text")).isEqualTo("forty-two");
	}

	@Test
	void incrKeepsTheStoredType() {
		this.cache.set("int", 41);
		this.cache.incr("int");
		assertThat(this.cache.get("int")).isExactlyInstanceOf(Integer.class).isEqualTo(42);
		this.cache.set("long", 41L);
		this.cache.decr("long");
		assertThat(this.cache.get("long")).isExactlyInstanceOf(Long.class).isEqualTo(40L);
		this.cache.set("big", Integer.MAX_VALUE);
		assertThat(this.cache.incr("big")).isEqualTo(Integer.MAX_VALUE + 1L);
		assertThat(this.cache.get("big")).isEqualTo(Integer.MAX_VALUE + 1L);
	}

	@Test
	void incrAndTimeout() {
		this.cache.set("counter", 1, Timeout.seconds(1));
		assertThat(this.cache.incr("counter")).isEqualTo(2);
		advanceTime(Duration.ofSeconds(2));
		if (incrKeepsTimeout()) {
			assertThat(this.cache.hasKey("counter")).isFalse();
		}
		else {
			assertThat(this.cache.get("counter")).isEqualTo(2);
		}
	}

	// ---------------------------------------------------------------- data types and copies

	@Test
	void dataTypes() {
		Map<String, Object> stuff = new LinkedHashMap<>();
		stuff.put("string", "this is a string");
		stuff.put("int", 42);
		stuff.put("bool", true);
		stuff.put("list", new ArrayList<>(List.of(1, 2, 3, 4)));
		stuff.put("tuple", List.of(1, 2, 3, 4));
		stuff.put("dict", new HashMap<>(Map.of("A", 1, "B", 2)));
		stuff.put("model", new Poll("What's up?", 3));
		this.cache.set("data", stuff);
		assertThat(this.cache.get("data")).isEqualTo(stuff);
	}

	@Test
	void valuesKeepTheirJavaTypes() {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("integer", 42);
		values.put("long", 42L);
		values.put("string", "guyan");
		values.put("boolean", Boolean.TRUE);
		values.put("double", 1.5d);
		values.put("bigdecimal", new BigDecimal("1.50"));
		values.put("date", LocalDate.of(2026, 11, 22));
		values.put("uuid", UUID.fromString("5f51bca0-050c-4d34-9b43-d123e75c0e57"));
		values.put("list", new ArrayList<>(List.of("a", 1)));
		values.put("map", new HashMap<>(Map.of("name", "guyan", "n", 1)));
		values.put("record", new Poll("Which backend?", 7));
		values.forEach(this.cache::set);
		values.forEach((key, value) -> assertThat(this.cache.get(key)).as(key)
			.isExactlyInstanceOf(value.getClass())
			.isEqualTo(value));
		this.cache.set("bytes", new byte[] { 0, 1, (byte) 0xff });
		assertThat(this.cache.get("bytes")).isInstanceOf(byte[].class);
		assertThat(this.cache.get("bytes", byte[].class)).containsExactly(0, 1, 0xff);
		assertThat(this.cache.getMany(values.keySet())).isEqualTo(values);
	}

	@Test
	void modelInstance() {
		Poll poll = new Poll("Well?", 1);
		this.cache.set("question", poll);
		assertThat(this.cache.get("question", Poll.class)).isEqualTo(poll);
	}

	@Test
	void binaryString() {
		byte[] compressed = Zlib.compress("value to be compressed".getBytes(StandardCharsets.UTF_8));
		this.cache.set("binary1", compressed);
		assertThat(this.cache.add("binary1-add", compressed)).isTrue();
		this.cache.setMany(Map.of("binary1-set_many", compressed));
		for (String key : List.of("binary1", "binary1-add", "binary1-set_many")) {
			byte[] read = this.cache.get(key, byte[].class);
			assertThat(new String(Zlib.decompress(read, 1024), StandardCharsets.UTF_8))
				.isEqualTo("value to be compressed");
		}
	}

	@Test
	void unicode() {
		Map<String, Object> stuff = new LinkedHashMap<>();
		stuff.put("ascii", "ascii_value");
		stuff.put("unicode_ascii", "Iñtërnâtiônàlizætiøn1");
		stuff.put("Iñtërnâtiônàlizætiøn", "Iñtërnâtiônàlizætiøn2");
		stuff.put("ascii2", new HashMap<>(Map.of("x", 1)));
		stuff.forEach((key, value) -> {
			this.cache.set(key, value);
			assertThat(this.cache.get(key)).as(key).isEqualTo(value);
		});
		stuff.forEach((key, value) -> {
			assertThat(this.cache.delete(key)).as(key).isTrue();
			assertThat(this.cache.add(key, value)).as(key).isTrue();
			assertThat(this.cache.get(key)).as(key).isEqualTo(value);
		});
		stuff.keySet().forEach((key) -> assertThat(this.cache.delete(key)).as(key).isTrue());
		assertThat(this.cache.setMany(stuff)).isEmpty();
		stuff.forEach((key, value) -> assertThat(this.cache.get(key)).as(key).isEqualTo(value));
	}

	@Test
	void mutatingValuesDoesNotChangeTheCache() {
		List<String> list = new ArrayList<>(List.of("a"));
		this.cache.set("list", list);
		list.add("mutated after set");
		@SuppressWarnings("unchecked")
		List<String> read = (List<String>) this.cache.get("list");
		assertThat(read).containsExactly("a");
		read.add("mutated after get");
		assertThat(this.cache.get("list")).isEqualTo(List.of("a"));

		byte[] bytes = { 1, 2, 3 };
		this.cache.set("bytes", bytes);
		bytes[0] = 9;
		byte[] readBytes = this.cache.get("bytes", byte[].class);
		assertThat(readBytes).containsExactly(1, 2, 3);
		readBytes[1] = 9;
		assertThat(this.cache.get("bytes", byte[].class)).containsExactly(1, 2, 3);
	}

	@Test
	void unstorableValueFailsTheWriteAndStoresNothing() {
		this.cache.set("unstorable", "old");
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.cache.set("unstorable", new Unstorable()));
		if (failedSetKeepsOldValue()) {
			assertThat(this.cache.get("unstorable")).isEqualTo("old");
		}
		else {
			assertThat(this.cache.hasKey("unstorable")).isFalse();
		}
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.cache.add("unstorable-add", new Unstorable()));
		assertThat(this.cache.hasKey("unstorable-add")).isFalse();
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.cache.set("unstorable-list", new ArrayList<>(List.of(new Unstorable()))));
		assertThat(this.cache.hasKey("unstorable-list")).isFalse();
	}

	@Test
	void setManyReturnsTheCallersKeysThatFailed() {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("fine", 1);
		values.put("unstorable", new Unstorable());
		CacheBackend prefixed = prefixCache();
		assertThat(prefixed.setMany(values)).containsExactly("unstorable");
		assertThat(prefixed.get("fine")).isEqualTo(1);
		assertThat(prefixed.hasKey("unstorable")).isFalse();
	}

	// ---------------------------------------------------------------- timeouts and expiry

	@Test
	void expiration() {
		this.cache.set("expire1", "very quickly", Timeout.seconds(1));
		this.cache.set("expire2", "very quickly", Timeout.seconds(1));
		this.cache.set("expire3", "very quickly", Timeout.seconds(1));
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.get("expire1")).isNull();
		assertThat(this.cache.add("expire2", "newvalue")).isTrue();
		assertThat(this.cache.get("expire2")).isEqualTo("newvalue");
		assertThat(this.cache.hasKey("expire3")).isFalse();
	}

	@Test
	void defaultTimeoutIsFiveMinutes() {
		this.cache.set("default", "value");
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.get("default")).isEqualTo("value");
		if (clockIsSimulated()) {
			advanceTime(Duration.ofSeconds(297));
			assertThat(this.cache.get("default")).isEqualTo("value");
			advanceTime(Duration.ofSeconds(2));
			assertThat(this.cache.get("default")).isNull();
		}
	}

	@Test
	void defaultTimeoutNever() {
		// Django's DefaultNonExpiringCacheKeyTests: TIMEOUT=None makes the default timeout "forever".
		CacheBackend forever = newCache(baseSettings("forever").timeout(Timeout.NEVER));
		forever.set("key", "value");
		assertThat(forever.add("added", "value")).isTrue();
		forever.set("touched", "value", Timeout.seconds(1));
		assertThat(forever.touch("touched")).isTrue();
		advanceTime(clockIsSimulated() ? Duration.ofDays(10_000) : Duration.ofSeconds(2));
		assertThat(forever.getMany(List.of("key", "added", "touched"))).hasSize(3);
	}

	@Test
	void touch() {
		this.cache.set("expire1", "very quickly", Timeout.seconds(1));
		assertThat(this.cache.touch("expire1", Timeout.seconds(10))).isTrue();
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.hasKey("expire1")).isTrue();
		if (clockIsSimulated()) {
			advanceTime(Duration.ofSeconds(9));
			assertThat(this.cache.hasKey("expire1")).isFalse();
		}
		assertThat(this.cache.touch("nonexistent")).isFalse();
	}

	@Test
	void touchWithoutTimeoutSetsTheDefaultTimeout() {
		this.cache.set("touched", "value", Timeout.seconds(1));
		assertThat(this.cache.touch("touched")).isTrue();
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.get("touched")).isEqualTo("value");
		if (clockIsSimulated()) {
			advanceTime(Duration.ofSeconds(297));
			assertThat(this.cache.get("touched")).isEqualTo("value");
			advanceTime(Duration.ofSeconds(2));
			assertThat(this.cache.get("touched")).isNull();
		}
	}

	@Test
	void touchNeverMakesTheEntryPermanent() {
		this.cache.set("key5", "belgian fries", Timeout.seconds(1));
		assertThat(this.cache.touch("key5", Timeout.NEVER)).isTrue();
		advanceTime(clockIsSimulated() ? Duration.ofDays(1000) : Duration.ofSeconds(2));
		assertThat(this.cache.get("key5")).isEqualTo("belgian fries");
	}

	@Test
	void touchZeroExpiresAtOnce() {
		this.cache.set("key", "value");
		assertThat(this.cache.touch("key", Timeout.seconds(0))).isTrue();
		assertThat(this.cache.get("key")).isNull();
		assertThat(this.cache.hasKey("key")).isFalse();
	}

	@Test
	void longTimeout() {
		this.cache.set("key1", "eggs", THIRTY_DAYS_AND_ONE_SECOND);
		assertThat(this.cache.get("key1")).isEqualTo("eggs");
		assertThat(this.cache.add("key2", "ham", THIRTY_DAYS_AND_ONE_SECOND)).isTrue();
		assertThat(this.cache.get("key2")).isEqualTo("ham");
		this.cache.setMany(Map.of("key3", "sausage", "key4", "lobster bisque"), THIRTY_DAYS_AND_ONE_SECOND);
		assertThat(this.cache.get("key3")).isEqualTo("sausage");
		assertThat(this.cache.get("key4")).isEqualTo("lobster bisque");
		if (clockIsSimulated()) {
			advanceTime(Duration.ofDays(30));
			assertThat(this.cache.get("key1")).isEqualTo("eggs");
			advanceTime(Duration.ofSeconds(2));
			assertThat(this.cache.get("key1")).isNull();
		}
	}

	@Test
	void foreverTimeout() {
		this.cache.set("key1", "eggs", Timeout.NEVER);
		assertThat(this.cache.get("key1")).isEqualTo("eggs");
		assertThat(this.cache.add("key2", "ham", Timeout.NEVER)).isTrue();
		assertThat(this.cache.get("key2")).isEqualTo("ham");
		assertThat(this.cache.add("key1", "new eggs", Timeout.NEVER)).isFalse();
		assertThat(this.cache.get("key1")).isEqualTo("eggs");
		this.cache.setMany(Map.of("key3", "sausage", "key4", "lobster bisque"), Timeout.NEVER);
		advanceTime(clockIsSimulated() ? Duration.ofDays(10_000) : Duration.ofSeconds(2));
		assertThat(this.cache.getMany(List.of("key1", "key2", "key3", "key4"))).hasSize(4);
	}

	@Test
	void zeroTimeout() {
		this.cache.set("key1", "eggs", Timeout.seconds(0));
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.add("key2", "ham", Timeout.seconds(0))).isTrue();
		assertThat(this.cache.get("key2")).isNull();
		assertThat(this.cache.setMany(Map.of("key3", "sausage", "key4", "lobster bisque"), Timeout.seconds(0)))
			.isEmpty();
		assertThat(this.cache.get("key3")).isNull();
		assertThat(this.cache.get("key4")).isNull();
		this.cache.set("key5", "belgian fries");
		this.cache.set("key5", "overwritten", Timeout.seconds(0));
		assertThat(this.cache.hasKey("key5")).isFalse();
	}

	@Test
	void negativeTimeout() {
		this.cache.set("key1", "eggs", Timeout.seconds(-5));
		assertThat(this.cache.get("key1")).isNull();
		assertThat(this.cache.add("key2", "ham", Timeout.seconds(-5))).isTrue();
		assertThat(this.cache.hasKey("key2")).isFalse();
	}

	@Test
	void fractionalTimeout() {
		this.cache.set("key1", "spam", Timeout.of(Duration.ofMillis(100_200)));
		assertThat(this.cache.get("key1")).isEqualTo("spam");
	}

	// ---------------------------------------------------------------- getOrSet

	@Test
	void getOrSet() {
		assertThat(this.cache.get("projector")).isNull();
		assertThat(this.cache.getOrSet("projector", () -> 42)).isEqualTo(42);
		assertThat(this.cache.get("projector")).isEqualTo(42);
		assertThat(this.cache.<Object>getOrSet("null", () -> null)).isNull();
		assertThat(this.cache.hasKey("null")).isTrue();
		// A stored null is a hit, so the supplier does not run again.
		assertThat(this.cache.<Object>getOrSet("null", () -> "default")).isNull();
	}

	@Test
	void getOrSetRunsTheSupplierOnlyOnAMiss() {
		AtomicInteger calls = new AtomicInteger();
		this.cache.set("mykey", "value");
		assertThat(this.cache.getOrSet("mykey", () -> "computed" + calls.incrementAndGet())).isEqualTo("value");
		assertThat(this.cache.getOrSet("other", () -> "computed" + calls.incrementAndGet())).isEqualTo("computed1");
		assertThat(this.cache.getOrSet("other", () -> "computed" + calls.incrementAndGet())).isEqualTo("computed1");
		assertThat(calls).hasValue(1);
	}

	@Test
	void getOrSetVersion() {
		assertThat(this.cache.withVersion(2).getOrSet("brian", () -> 1979)).isEqualTo(1979);
		assertThat(this.cache.get("brian")).isNull();
		assertThat(this.cache.withVersion(1).getOrSet("brian", () -> 42)).isEqualTo(42);
		assertThat(this.cache.withVersion(2).getOrSet("brian", () -> 1)).isEqualTo(1979);
		assertThat(this.cache.withVersion(3).get("brian")).isNull();
	}

	@Test
	void getOrSetTimeout() {
		assertThat(this.cache.getOrSet("brief", () -> "value", Timeout.seconds(1))).isEqualTo("value");
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.hasKey("brief")).isFalse();
	}

	@Test
	void getOrSetPropagatesTheSuppliersExceptionAndRetriesLater() {
		IllegalStateException boom = new IllegalStateException("boom");
		assertThatThrownBy(() -> this.cache.getOrSet("failing", () -> {
			throw boom;
		})).isSameAs(boom);
		assertThat(this.cache.hasKey("failing")).isFalse();
		assertThat(this.cache.getOrSet("failing", () -> "recovered")).isEqualTo("recovered");
		assertThat(this.cache.get("failing")).isEqualTo("recovered");
	}

	@Test
	void getOrSetIsSingleFlight() throws Exception {
		int threads = 6;
		AtomicInteger calls = new AtomicInteger();
		CountDownLatch supplierRunning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CyclicBarrier barrier = new CyclicBarrier(threads);
		List<Thread> callers = new CopyOnWriteArrayList<>();
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<Object>> results = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				results.add(executor.submit(() -> {
					callers.add(Thread.currentThread());
					barrier.await(10, TimeUnit.SECONDS);
					return this.cache.getOrSet("flight", () -> {
						calls.incrementAndGet();
						supplierRunning.countDown();
						awaitUninterruptibly(release);
						return "computed";
					});
				}));
			}
			assertThat(supplierRunning.await(10, TimeUnit.SECONDS)).isTrue();
			// Hold the supplier until every caller is parked (the leader in the supplier, the others waiting for
			// it), so that all of them really overlap with the computation.
			awaitAllParked(callers, threads);
			release.countDown();
			for (Future<Object> result : results) {
				assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("computed");
			}
			assertThat(calls).hasValue(1);
		}
		finally {
			release.countDown();
			executor.shutdownNow();
		}
	}

	@Test
	void getOrSetWaitersGetTheLeadersFailure() throws Exception {
		IllegalStateException boom = new IllegalStateException("boom");
		AtomicInteger calls = new AtomicInteger();
		CountDownLatch leaderRunning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Supplier<Object> supplier = () -> {
			if (calls.incrementAndGet() == 1) {
				leaderRunning.countDown();
				awaitUninterruptibly(release);
				throw boom;
			}
			return "recovered";
		};
		List<Thread> waiters = new CopyOnWriteArrayList<>();
		ExecutorService executor = Executors.newFixedThreadPool(3);
		try {
			Future<Object> leader = executor.submit(() -> this.cache.getOrSet("flaky", supplier));
			assertThat(leaderRunning.await(10, TimeUnit.SECONDS)).isTrue();
			List<Future<Object>> waiting = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				waiting.add(executor.submit(() -> {
					waiters.add(Thread.currentThread());
					return this.cache.getOrSet("flaky", supplier);
				}));
			}
			awaitAllParked(waiters, 2);
			release.countDown();
			assertThatThrownBy(() -> leader.get(10, TimeUnit.SECONDS)).hasCause(boom);
			for (Future<Object> waiter : waiting) {
				// The waiters share the leader's failure instead of running the supplier again one after another.
				assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCause(boom);
			}
			assertThat(calls).hasValue(1);
			// A caller that comes after the failure is a new leader.
			assertThat(this.cache.getOrSet("flaky", supplier)).isEqualTo("recovered");
			assertThat(calls).hasValue(2);
		}
		finally {
			release.countDown();
			executor.shutdownNow();
		}
	}

	/**
	 * Issue 12, item 10: 20 callers of a key whose supplier fails after 300 ms are all done in about one supplier
	 * time. Before, each waiter became the next leader and ran the supplier again: 20 × 300 ms = 6 s. The bound is
	 * 2 s (300 ms plus a wide margin for a loaded 2-core machine, well under the old 6 s).
	 */
	@Test
	void getOrSetWithAFailingSupplierDoesNotQueueItsCallers() throws Exception {
		int callers = 20;
		IllegalStateException boom = new IllegalStateException("loader failed");
		AtomicInteger calls = new AtomicInteger();
		Supplier<Object> failing = () -> {
			calls.incrementAndGet();
			try {
				Thread.sleep(300);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			throw boom;
		};
		CyclicBarrier start = new CyclicBarrier(callers + 1);
		ExecutorService executor = Executors.newFixedThreadPool(callers);
		try {
			List<Future<Throwable>> results = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				results.add(executor.submit(() -> {
					start.await(10, TimeUnit.SECONDS);
					try {
						this.cache.getOrSet("slow-failing-loader", failing);
						return null;
					}
					catch (RuntimeException ex) {
						return ex;
					}
				}));
			}
			start.await(10, TimeUnit.SECONDS);
			long started = System.nanoTime();
			for (Future<Throwable> result : results) {
				assertThat(result.get(20, TimeUnit.SECONDS)).isSameAs(boom);
			}
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			assertThat(millis).as("all %d callers done after %d ms, %d supplier calls", callers, millis, calls.get())
				.isLessThan(2_000);
			assertThat(calls.get()).isLessThan(callers);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void getOrSetCallingItselfForTheSameKeyFailsInsteadOfDeadlocking() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.cache.getOrSet("outer", () -> this.cache.getOrSet("outer", () -> "inner")));
		assertThat(this.cache.getOrSet("outer2", () -> this.cache.getOrSet("inner2", () -> "inner") + "+outer"))
			.isEqualTo("inner+outer");
	}

	/**
	 * RELIABILITY §7 G2 (the Laravel #43627/#46011 test), in one JVM: {@code add} used as a lock around a
	 * read-increment-write of a counter by 4 threads × 100 rounds. {@code add} admits one holder at a time (each
	 * holder finds its own token in the lock before it deletes it, so nobody releases another's lock), and no
	 * increment is lost. Across processes: {@code FileSystemCacheMultiProcessTests}.
	 */
	@Test
	void addAsALockGuardsAReadModifyWrite() throws Exception {
		int threads = 4;
		int rounds = 100;
		this.cache.set("locked-counter", 0);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<Object>> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				workers.add(executor.submit(() -> {
					for (int round = 0; round < rounds; round++) {
						String token = "holder-" + thread + "-" + round;
						while (!this.cache.add("lock", token, Timeout.seconds(60))) {
							java.util.concurrent.locks.LockSupport.parkNanos(100_000);
						}
						int value = this.cache.get("locked-counter", Integer.class);
						this.cache.set("locked-counter", value + 1);
						assertThat(this.cache.get("lock")).as("the lock's holder").isEqualTo(token);
						assertThat(this.cache.delete("lock")).isTrue();
					}
					return null;
				}));
			}
			for (Future<Object> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(this.cache.get("locked-counter")).isEqualTo(threads * rounds);
	}

	// ---------------------------------------------------------------- keys: prefix, version, key function

	@Test
	void makeKeyVectors() {
		assertThat(this.cache.makeKey("username")).isEqualTo(":1:username");
		assertThat(this.cache.withVersion(2).makeKey("username")).isEqualTo(":2:username");
		assertThat(this.cache.makeKey("42")).isEqualTo(":1:42");
		CacheBackend myapp = newCache(baseSettings("myapp").keyPrefix("myapp").version(3));
		assertThat(myapp.makeKey("username")).isEqualTo("myapp:3:username");
		assertThat(myapp.withVersion(1).makeKey("username")).isEqualTo("myapp:1:username");
		assertThat(newCache(baseSettings("colon").keyPrefix("a:b")).makeKey("c:d")).isEqualTo("a:b:1:c:d");
		assertThat(newCache(baseSettings("zero").version(0)).makeKey("k")).isEqualTo(":0:k");
		assertThat(newCache(baseSettings("custom").keyPrefix("p").keyFunction(new CustomKeyFunction()))
			.makeKey("answer")).isEqualTo("CUSTOM-p-1-answer");
		assertThat(prefixCache().makeKey("somekey")).isEqualTo("cacheprefix:1:somekey");
		assertThat(v2Cache().makeKey("somekey")).isEqualTo(":2:somekey");
	}

	@Test
	void customKeyFunction() {
		CacheBackend customKey = customKeyCache();
		CacheBackend customKey2 = customKeyCache();
		this.cache.set("answer1", 42);
		assertThat(this.cache.get("answer1")).isEqualTo(42);
		assertThat(customKey.get("answer1")).isNull();
		assertThat(customKey2.get("answer1")).isNull();
		customKey.set("answer2", 42);
		assertThat(this.cache.get("answer2")).isNull();
		assertThat(customKey.get("answer2")).isEqualTo(42);
		assertThat(customKey2.get("answer2")).isEqualTo(42);
	}

	@Test
	void versioningGetSet() {
		CacheBackend v2 = v2Cache();
		this.cache.set("answer1", 42);
		assertThat(this.cache.get("answer1")).isEqualTo(42);
		assertThat(this.cache.withVersion(1).get("answer1")).isEqualTo(42);
		assertThat(this.cache.withVersion(2).get("answer1")).isNull();
		assertThat(v2.get("answer1")).isNull();
		assertThat(v2.withVersion(1).get("answer1")).isEqualTo(42);
		assertThat(v2.withVersion(2).get("answer1")).isNull();

		this.cache.withVersion(2).set("answer2", 42);
		assertThat(this.cache.get("answer2")).isNull();
		assertThat(this.cache.withVersion(1).get("answer2")).isNull();
		assertThat(this.cache.withVersion(2).get("answer2")).isEqualTo(42);
		assertThat(v2.get("answer2")).isEqualTo(42);
		assertThat(v2.withVersion(1).get("answer2")).isNull();

		v2.set("answer3", 42);
		assertThat(this.cache.get("answer3")).isNull();
		assertThat(this.cache.withVersion(2).get("answer3")).isEqualTo(42);

		v2.withVersion(1).set("answer4", 42);
		assertThat(this.cache.get("answer4")).isEqualTo(42);
		assertThat(v2.get("answer4")).isNull();
	}

	@Test
	void versioningAdd() {
		CacheBackend version2 = this.cache.withVersion(2);
		CacheBackend version1 = this.cache.withVersion(1);
		assertThat(version2.add("answer1", 42)).isTrue();
		assertThat(version1.get("answer1")).isNull();
		assertThat(version2.get("answer1")).isEqualTo(42);
		assertThat(version2.add("answer1", 37)).isFalse();
		assertThat(version1.get("answer1")).isNull();
		assertThat(version2.get("answer1")).isEqualTo(42);
		assertThat(version1.add("answer1", 37)).isTrue();
		assertThat(version1.get("answer1")).isEqualTo(37);
		assertThat(version2.get("answer1")).isEqualTo(42);
	}

	@Test
	void versioningHasKey() {
		CacheBackend v2 = v2Cache();
		this.cache.set("answer1", 42);
		assertThat(this.cache.hasKey("answer1")).isTrue();
		assertThat(this.cache.withVersion(1).hasKey("answer1")).isTrue();
		assertThat(this.cache.withVersion(2).hasKey("answer1")).isFalse();
		assertThat(v2.hasKey("answer1")).isFalse();
		assertThat(v2.withVersion(1).hasKey("answer1")).isTrue();
		assertThat(v2.withVersion(2).hasKey("answer1")).isFalse();
	}

	@Test
	void versioningDelete() {
		CacheBackend v2 = v2Cache();
		this.cache.withVersion(1).set("answer1", 37);
		this.cache.withVersion(2).set("answer1", 42);
		assertThat(this.cache.delete("answer1")).isTrue();
		assertThat(this.cache.withVersion(1).get("answer1")).isNull();
		assertThat(this.cache.withVersion(2).get("answer1")).isEqualTo(42);

		this.cache.withVersion(1).set("answer2", 37);
		this.cache.withVersion(2).set("answer2", 42);
		assertThat(this.cache.withVersion(2).delete("answer2")).isTrue();
		assertThat(this.cache.withVersion(1).get("answer2")).isEqualTo(37);
		assertThat(this.cache.withVersion(2).get("answer2")).isNull();

		this.cache.withVersion(1).set("answer3", 37);
		this.cache.withVersion(2).set("answer3", 42);
		assertThat(v2.delete("answer3")).isTrue();
		assertThat(this.cache.withVersion(1).get("answer3")).isEqualTo(37);
		assertThat(this.cache.withVersion(2).get("answer3")).isNull();

		this.cache.withVersion(1).set("answer4", 37);
		this.cache.withVersion(2).set("answer4", 42);
		assertThat(v2.withVersion(1).delete("answer4")).isTrue();
		assertThat(this.cache.withVersion(1).get("answer4")).isNull();
		assertThat(this.cache.withVersion(2).get("answer4")).isEqualTo(42);
	}

	@Test
	void versioningIncrDecr() {
		CacheBackend v2 = v2Cache();
		this.cache.withVersion(1).set("answer1", 37);
		this.cache.withVersion(2).set("answer1", 42);
		assertThat(this.cache.incr("answer1")).isEqualTo(38);
		assertThat(this.cache.withVersion(1).get("answer1")).isEqualTo(38);
		assertThat(this.cache.withVersion(2).get("answer1")).isEqualTo(42);
		assertThat(this.cache.decr("answer1")).isEqualTo(37);

		this.cache.withVersion(1).set("answer2", 37);
		this.cache.withVersion(2).set("answer2", 42);
		assertThat(this.cache.withVersion(2).incr("answer2")).isEqualTo(43);
		assertThat(this.cache.withVersion(1).get("answer2")).isEqualTo(37);
		assertThat(this.cache.withVersion(2).get("answer2")).isEqualTo(43);
		assertThat(this.cache.withVersion(2).decr("answer2")).isEqualTo(42);

		this.cache.withVersion(1).set("answer3", 37);
		this.cache.withVersion(2).set("answer3", 42);
		assertThat(v2.incr("answer3")).isEqualTo(43);
		assertThat(this.cache.withVersion(1).get("answer3")).isEqualTo(37);
		assertThat(v2.withVersion(1).incr("answer3")).isEqualTo(38);
		assertThat(this.cache.withVersion(2).get("answer3")).isEqualTo(43);
	}

	@Test
	void versioningGetSetMany() {
		CacheBackend v2 = v2Cache();
		this.cache.setMany(Map.of("ford1", 37, "arthur1", 42));
		Map<String, Object> both = Map.of("ford1", 37, "arthur1", 42);
		assertThat(this.cache.getMany(List.of("ford1", "arthur1"))).isEqualTo(both);
		assertThat(this.cache.withVersion(1).getMany(List.of("ford1", "arthur1"))).isEqualTo(both);
		assertThat(this.cache.withVersion(2).getMany(List.of("ford1", "arthur1"))).isEmpty();
		assertThat(v2.getMany(List.of("ford1", "arthur1"))).isEmpty();
		assertThat(v2.withVersion(1).getMany(List.of("ford1", "arthur1"))).isEqualTo(both);

		this.cache.withVersion(2).setMany(Map.of("ford2", 37, "arthur2", 42));
		assertThat(this.cache.getMany(List.of("ford2", "arthur2"))).isEmpty();
		assertThat(this.cache.withVersion(2).getMany(List.of("ford2", "arthur2")))
			.isEqualTo(Map.of("ford2", 37, "arthur2", 42));
		assertThat(v2.getMany(List.of("ford2", "arthur2"))).isEqualTo(Map.of("ford2", 37, "arthur2", 42));

		v2.setMany(Map.of("ford3", 37));
		assertThat(this.cache.getMany(List.of("ford3"))).isEmpty();
		assertThat(this.cache.withVersion(2).getMany(List.of("ford3"))).isEqualTo(Map.of("ford3", 37));
		v2.deleteMany(List.of("ford3"));
		assertThat(this.cache.withVersion(2).hasKey("ford3")).isFalse();
	}

	@Test
	void incrVersion() {
		CacheBackend v2 = v2Cache();
		this.cache.withVersion(2).set("answer", 42);
		assertThat(this.cache.get("answer")).isNull();
		assertThat(this.cache.withVersion(2).get("answer")).isEqualTo(42);
		assertThat(this.cache.withVersion(3).get("answer")).isNull();
		assertThat(this.cache.withVersion(2).incrVersion("answer")).isEqualTo(3);
		assertThat(this.cache.get("answer")).isNull();
		assertThat(this.cache.withVersion(2).get("answer")).isNull();
		assertThat(this.cache.withVersion(3).get("answer")).isEqualTo(42);

		v2.set("answer2", 42);
		assertThat(v2.incrVersion("answer2")).isEqualTo(3);
		assertThat(v2.get("answer2")).isNull();
		assertThat(v2.withVersion(3).get("answer2")).isEqualTo(42);

		v2.set("answer3", 42);
		assertThat(v2.withVersion(2).incrVersion("answer3", 2)).isEqualTo(4);
		assertThat(v2.withVersion(4).get("answer3")).isEqualTo(42);

		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.incrVersion("does_not_exist"))
			.withMessage("Key 'does_not_exist' not found");

		this.cache.set("null", null);
		assertThat(this.cache.incrVersion("null")).isEqualTo(2);
		assertThat(this.cache.withVersion(2).hasKey("null")).isTrue();
		assertThat(this.cache.withVersion(2).getOrDefault("null", "default")).isNull();
	}

	@Test
	void decrVersion() {
		CacheBackend v2 = v2Cache();
		this.cache.withVersion(2).set("answer", 42);
		assertThat(this.cache.withVersion(2).decrVersion("answer")).isEqualTo(1);
		assertThat(this.cache.get("answer")).isEqualTo(42);
		assertThat(this.cache.withVersion(2).get("answer")).isNull();

		v2.set("answer2", 42);
		assertThat(v2.decrVersion("answer2")).isEqualTo(1);
		assertThat(v2.get("answer2")).isNull();
		assertThat(this.cache.get("answer2")).isEqualTo(42);

		assertThatExceptionOfType(NoSuchElementException.class)
			.isThrownBy(() -> this.cache.withVersion(2).decrVersion("does_not_exist"));

		this.cache.withVersion(2).set("null", null);
		assertThat(this.cache.withVersion(2).decrVersion("null")).isEqualTo(1);
		assertThat(this.cache.hasKey("null")).isTrue();
	}

	@Test
	void incrVersionResetsTheTimeoutToTheDefault() {
		this.cache.set("brief", "value", Timeout.seconds(1));
		assertThat(this.cache.incrVersion("brief")).isEqualTo(2);
		advanceTime(Duration.ofSeconds(2));
		assertThat(this.cache.withVersion(2).get("brief")).isEqualTo("value");
	}

	// ---------------------------------------------------------------- key validation (CONFORMANCE §E)

	@Test
	void invalidKeyCharacters() {
		String key = "key with spaces and 清";
		assertKeyProblems(this.cache, key, List.of(
				"Cache key contains characters that will cause errors if used with memcached: ':1:" + key + "'"));
	}

	@Test
	void invalidKeyControlCharacter() {
		assertKeyProblems(this.cache, "key\nnewline", List.of(
				"Cache key contains characters that will cause errors if used with memcached: ':1:key\\nnewline'"));
	}

	@Test
	void invalidKeyLength() {
		String key = "a".repeat(248);
		assertKeyProblems(this.cache, key,
				List.of("Cache key will cause errors if used with memcached: ':1:" + key + "' (longer than 250)"));
	}

	@Test
	void invalidKeyLengthAndCharactersGiveTwoProblems() {
		String key = "a b" + "c".repeat(246);
		String repr = "':1:" + key + "'";
		assertKeyProblems(this.cache, key,
				List.of("Cache key will cause errors if used with memcached: " + repr + " (longer than 250)",
						"Cache key contains characters that will cause errors if used with memcached: " + repr));
	}

	@Test
	void invalidWithVersionKeyLength() {
		// Validation applies to the made key: a key function that appends makes a valid key too long.
		CacheBackend appending = newCache(baseSettings("appending").keyFunction((key, prefix, version) -> key + ":1"));
		String key = "a".repeat(249);
		assertKeyProblems(appending, key,
				List.of("Cache key will cause errors if used with memcached: '" + key + ":1' (longer than 250)"));
	}

	@Test
	void keyOf250BytesIsValid() {
		assertKeyProblems(this.cache, "a".repeat(247), List.of());
	}

	@Test
	void nonAsciiKeyIsAllowed() {
		assertKeyProblems(this.cache, "清", List.of());
		this.cache.set("Iñtërnâtiônàlizætiøn清", "value");
		assertThat(this.cache.get("Iñtërnâtiônàlizætiøn清")).isEqualTo("value");
	}

	/**
	 * Issue 12, item 11: a lone surrogate has no UTF-8 form; stores wrote {@code ?} for it, so the key
	 * {@code "invoice"} + U+D800 read (and overwrote) {@code "invoice?"}'s entry on memcached, the file system and the
	 * database. Every backend now refuses such a key on every operation, before any I/O, with a clear message.
	 */
	@Test
	void loneSurrogateKeyIsRefusedOnEveryOperationBeforeItReachesTheStore() {
		this.cache.set("invoice?", "another customer's invoice");
		List<String> keys = List.of("invoice\uD800", "invoice\uDC00", "\uDBFFinvoice", "a\uDC00\uD800b");
		for (CacheBackend cache : List.of(this.cache, customKeyCache())) {
			for (String key : keys) {
				for (Map.Entry<String, Consumer<CacheBackend>> operation : keyOperations(key).entrySet()) {
					assertThatExceptionOfType(InvalidCacheKeyException.class)
						.as("%s of %s", operation.getKey(), CacheKeys.repr(key))
						.isThrownBy(() -> operation.getValue().accept(cache))
						.withMessageContaining("lone surrogate")
						.withMessageContaining("cannot be encoded as UTF-8");
				}
			}
		}
		assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> this.cache.get("invoice\uD800"))
			.withMessage("Cache key contains a lone surrogate (U+D800 at index 10) that cannot be encoded as UTF-8,"
					+ " so it would share an entry with another key: ':1:invoice\\ud800'");
		assertThat(this.cache.get("invoice?")).isEqualTo("another customer's invoice");
		assertThat(this.cache.get("b")).isNull();
		// A surrogate pair is one character (4 UTF-8 bytes), a valid key of its own.
		this.cache.set("invoice\uD83D\uDE00", "emoji");
		assertThat(this.cache.get("invoice\uD83D\uDE00")).isEqualTo("emoji");
		assertThat(this.cache.get("invoice?")).isEqualTo("another customer's invoice");
		assertThat(this.cache.get("invoice??")).isNull();
	}

	/**
	 * Run every operation with {@code key} and check the problems reported: one WARN each on
	 * {@code io.cacheframework.core.CacheKeyWarning}, or (with {@link #invalidKeysThrow()}) an
	 * {@link InvalidCacheKeyException} with the first problem's message.
	 * @param cache the cache
	 * @param key the caller's key
	 * @param expected the expected messages, length problem first; empty for a valid key
	 */
	protected void assertKeyProblems(CacheBackend cache, String key, List<String> expected) {
		for (Map.Entry<String, Consumer<CacheBackend>> operation : keyOperations(key).entrySet()) {
			Consumer<CacheBackend> call = operation.getValue();
			if (invalidKeysThrow() && !expected.isEmpty()) {
				assertThatExceptionOfType(InvalidCacheKeyException.class).as(operation.getKey())
					.isThrownBy(() -> call.accept(cache))
					.withMessage(expected.get(0));
				continue;
			}
			try (LogCapture warnings = LogCapture.keyWarnings()) {
				call.accept(cache);
				assertThat(warnings.warnings()).as(operation.getKey()).containsExactlyElementsOf(expected);
			}
		}
	}

	/**
	 * Django's {@code _perform_invalid_key_test} operations, in its order ({@code add} first, so {@code incr}
	 * finds a value on a storing backend). Public for backends with their own test class (dummy).
	 * @param key the key every operation uses
	 * @return the operations by name
	 */
	public static Map<String, Consumer<CacheBackend>> keyOperations(String key) {
		Map<String, Consumer<CacheBackend>> operations = new LinkedHashMap<>();
		operations.put("add", (c) -> c.add(key, 1));
		operations.put("get", (c) -> c.get(key));
		operations.put("set", (c) -> c.set(key, 1));
		operations.put("incr", (c) -> c.incr(key));
		operations.put("decr", (c) -> c.decr(key));
		operations.put("touch", (c) -> c.touch(key));
		operations.put("hasKey", (c) -> c.hasKey(key));
		operations.put("delete", (c) -> c.delete(key));
		operations.put("getMany", (c) -> c.getMany(List.of(key, "b")));
		operations.put("setMany", (c) -> c.setMany(orderedMap(key, 1, "b", 2)));
		operations.put("deleteMany", (c) -> c.deleteMany(List.of(key, "b")));
		operations.put("getOrSet", (c) -> c.getOrSet(key, () -> 1));
		return operations;
	}

	private static Map<String, Object> orderedMap(String key1, Object value1, String key2, Object value2) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put(key1, value1);
		map.put(key2, value2);
		return map;
	}

	// ---------------------------------------------------------------- culling (CONFORMANCE §F)

	@Test
	void cull() {
		assertThat(performCull(cullCache())).hasSize(supportsCulling() ? expectedCullSurvivors() : 49);
	}

	@Test
	void zeroCull() {
		assertThat(performCull(zeroCullCache())).hasSize(supportsCulling() ? expectedZeroCullSurvivors() : 49);
	}

	@Test
	void cullDeleteWhenStoreEmpty() {
		// max-entries -1 makes the first set cull an empty store: harmless.
		CacheBackend cullAlways = newCache(baseSettings("cull").maxEntries(-1));
		cullAlways.set("force_cull_delete", "value", Timeout.seconds(1000));
		assertThat(cullAlways.hasKey("force_cull_delete")).isTrue();
	}

	/**
	 * Django's {@code _perform_cull_test}: set {@code cull1..cull49}, then report which keys survive.
	 * @param cullCache the cache to fill
	 * @return the surviving keys' numbers, in order
	 */
	protected final List<Integer> performCull(CacheBackend cullCache) {
		for (int i = 1; i < 50; i++) {
			cullCache.set("cull" + i, "value", Timeout.seconds(1000));
		}
		List<Integer> survivors = new ArrayList<>();
		for (int i = 1; i < 50; i++) {
			if (cullCache.hasKey("cull" + i)) {
				survivors.add(i);
			}
		}
		return survivors;
	}

	// ---------------------------------------------------------------- helpers and fixtures

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (true) {
			try {
				if (!latch.await(30, TimeUnit.SECONDS)) {
					throw new IllegalStateException("Test latch was never released");
				}
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Wait (at most 10 s) until {@code count} threads are registered and all are parked. Gives up silently: the
	 * caller's assertions still hold for a correct implementation, they are only less searching.
	 */
	/**
	 * Wait until the threads are parked in {@link SingleFlight}, waiting for a leader: a thread that is merely
	 * parked (e.g. in its first read, on a network store's reply) has not joined the flight yet.
	 */
	private static void awaitAllParked(List<Thread> threads, int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (threads.size() == count && threads.stream().allMatch(AbstractCacheBackendTests::waitsForAFlight)) {
				return;
			}
			Thread.sleep(5);
		}
	}

	private static boolean waitsForAFlight(Thread thread) {
		Thread.State state = thread.getState();
		if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
			return false;
		}
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().equals(SingleFlight.class.getName())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Django's test {@code custom_key_func}: {@code "CUSTOM-" + "-".join([prefix, str(version), key])}.
	 */
	public static final class CustomKeyFunction implements KeyFunction {

		@Override
		public String makeKey(String key, String keyPrefix, int version) {
			return "CUSTOM-" + keyPrefix + "-" + version + "-" + key;
		}

	}

	/**
	 * An application type (Django's test model {@code Poll}) stored through serialization.
	 * @param question the question
	 * @param votes the votes
	 */
	public record Poll(String question, int votes) implements Serializable {
	}

	/**
	 * A value that cannot be serialized (Django's unpicklable object).
	 */
	public static final class Unstorable {

		/**
		 * Not serializable either: even a serializer that ignored the class would fail on this field.
		 */
		final Thread owner = Thread.currentThread();

	}

}
