package io.cacheframework.spring;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheKeys;
import io.cacheframework.core.CacheSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Spring cache keys become text without aliasing (issue 12, item 11): keys that are not {@code equals} never share
 * an entry, equal keys always do, and a {@code String} stays readable as itself so {@code @Cacheable} and the
 * low-level API share entries. Keys used to be their {@code toString()}, so {@code 42L} read {@code "42"}'s entry
 * and {@code SimpleKey("a, b", "c")} read {@code SimpleKey("a", "b, c")}'s.
 */
class DjangoCacheKeyTests {

	private final LocMemCacheBackend backend = new LocMemCacheBackend(
			CacheSettings.builder("default").location("spring-key-text").build());

	private final DjangoCache cache = new DjangoCache("default", this.backend);

	@AfterEach
	void close() {
		this.backend.clear();
		this.backend.close();
	}

	@Test
	void differentTypesWithTheSameTextDoNotShareAnEntry() {
		this.cache.put("42", "the string");
		this.cache.put(42L, "the long");
		this.cache.put(42, "the int");
		assertThat(this.cache.get("42").get()).isEqualTo("the string");
		assertThat(this.cache.get(42L).get()).isEqualTo("the long");
		assertThat(this.cache.get(42).get()).isEqualTo("the int");
		assertThat(this.cache.get((short) 42)).isNull();
		assertThat(this.cache.get(new BigDecimal("42"))).isNull();
	}

	@Test
	void simpleKeysWithCommasInTheirArgumentsDoNotShareAnEntry() {
		this.cache.put(new SimpleKey("a, b", "c"), "first");
		this.cache.put(new SimpleKey("a", "b, c"), "second");
		this.cache.put(new SimpleKey(1, "x"), "int");
		assertThat(this.cache.get(new SimpleKey("a, b", "c")).get()).isEqualTo("first");
		assertThat(this.cache.get(new SimpleKey("a", "b, c")).get()).isEqualTo("second");
		assertThat(this.cache.get(new SimpleKey(1, "x")).get()).isEqualTo("int");
		assertThat(this.cache.get(new SimpleKey("1", "x"))).isNull();
		assertThat(this.cache.get(new SimpleKey("a", "b", "c"))).isNull();
		assertThat(this.cache.get(new SimpleKey("a", null))).isNull();
		assertThat(this.cache.get(new SimpleKey("a", "null"))).isNull();
	}

	@Test
	void aStringKeyIsItselfSoAnnotationsAndTheLowLevelApiShareEntries() {
		this.backend.set("username", "guyan");
		assertThat(this.cache.get("username").get()).isEqualTo("guyan");
		this.cache.put("greeting", "hello");
		assertThat(this.backend.get("greeting")).isEqualTo("hello");
		assertThat(this.cache.backendKey("invoice:2024")).isEqualTo("invoice:2024");
		assertThat(this.cache.backendKey("")).isEqualTo("");
	}

	@Test
	void stringsThatLookLikeTypedOrHashedKeysAreEscaped() {
		assertThat(this.cache.backendKey("~long:42")).isEqualTo("~str:~long:42").isNotEqualTo(
				this.cache.backendKey(42L));
		assertThat(this.cache.backendKey(42L)).isEqualTo("~long:42");
		String hashed = this.cache.backendKey("a key with spaces");
		assertThat(hashed).startsWith("#").hasSize(65);
		assertThat(this.cache.backendKey(hashed)).isEqualTo("~str:" + hashed);
	}

	@Test
	void theFormatIsReadable() {
		assertThat(this.cache.backendKey(new SimpleKey("a", "b:c", 7L))).isEqualTo("~key:1:a3:b:c7:~long:7");
		assertThat(this.cache.backendKey(SimpleKey.EMPTY)).isEqualTo("~key:");
		assertThat(this.cache.backendKey(List.of("x", true))).isEqualTo("~list:1:x13:~boolean:true");
		assertThat(this.cache.backendKey(Color.RED)).isEqualTo("~@" + Color.class.getName() + ":RED");
		assertThat(this.cache.backendKey(new Query("shoes", 2))).isEqualTo(
				"~@" + Query.class.getName() + ":5:shoes6:~int:2");
		assertThat(this.cache.backendKey(new int[] { 1, 2 })).isEqualTo("~@[I:6:~int:16:~int:2");
	}

	@Test
	void recordsListsSetsMapsAndArraysAreWrittenPartByPart() {
		assertThat(new Pair("a, b=c", "d").toString()).as("the toString collision this avoids")
			.isEqualTo(new Pair("a", "c, b=d").toString());
		assertThat(this.cache.backendKey(new Pair("a, b=c", "d"))).isNotEqualTo(
				this.cache.backendKey(new Pair("a", "c, b=d")));
		assertThat(this.cache.backendKey(List.of("a, b"))).isNotEqualTo(this.cache.backendKey(List.of("a", "b")));
		assertThat(this.cache.backendKey(Set.of("a, b"))).isNotEqualTo(this.cache.backendKey(Set.of("a", "b")));
		assertThat(this.cache.backendKey(Map.of("a", "b=c"))).isNotEqualTo(this.cache.backendKey(Map.of("a=b", "c")));
		assertThat(this.cache.backendKey(new int[] { 1 })).isNotEqualTo(this.cache.backendKey(new Integer[] { 1 }))
			.isNotEqualTo(this.cache.backendKey(new long[] { 1 }))
			.isEqualTo(this.cache.backendKey(new int[] { 1 }));
		// Equal collections of different classes or orders are one key, as their equals says.
		assertThat(this.cache.backendKey(new ArrayList<>(List.of("a", "b")))).isEqualTo(
				this.cache.backendKey(List.of("a", "b")));
		Set<String> forwards = new LinkedHashSet<>(List.of("x", "y", "z"));
		Set<String> backwards = new LinkedHashSet<>(List.of("z", "y", "x"));
		assertThat(this.cache.backendKey(forwards)).isEqualTo(this.cache.backendKey(backwards))
			.isEqualTo(this.cache.backendKey(new HashSet<>(forwards)));
		Map<String, Integer> map = new LinkedHashMap<>();
		map.put("b", 2);
		map.put("a", 1);
		assertThat(this.cache.backendKey(map)).isEqualTo(this.cache.backendKey(new TreeMap<>(map)));
	}

	@Test
	void enumsAreKeyedByNameNotByToString() {
		assertThat(this.cache.backendKey(Shouting.LOUD)).isNotEqualTo(this.cache.backendKey(Shouting.QUIET));
		assertThat(Shouting.LOUD.toString()).isEqualTo(Shouting.QUIET.toString());
	}

	@Test
	void aKeyWithALoneSurrogateIsHashedWithoutCollidingAndIsValidOnEveryBackend() {
		String lone = this.cache.backendKey("invoice\uD800");
		assertThat(lone).startsWith("#").isNotEqualTo(this.cache.backendKey("invoice?"))
			.isNotEqualTo(this.cache.backendKey("invoice\uDC00"));
		assertThat(CacheKeys.loneSurrogateIndex(lone)).isEqualTo(-1);
		this.cache.put("invoice\uD800", "mine");
		this.cache.put("invoice?", "someone else's");
		assertThat(this.cache.get("invoice\uD800").get()).isEqualTo("mine");
		assertThat(this.cache.backendKey(new SimpleKey('\uD800', "x"))).startsWith("#");
	}

	@Test
	void aTypeWithoutItsOwnToStringIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> this.cache.backendKey(new Object()))
			.withMessageContaining("does not override toString()");
		assertThatIllegalStateException().isThrownBy(() -> this.cache.backendKey(new SimpleKey("a", new Object())))
			.withMessageContaining("does not override toString()");
		List<Object> cyclic = new ArrayList<>();
		cyclic.add(cyclic);
		assertThatIllegalStateException().isThrownBy(() -> this.cache.backendKey(cyclic))
			.withMessageContaining("contains itself");
	}

	/**
	 * The property itself, over 3000 random keys built from the pieces that used to collide (commas, spaces,
	 * colons, digits as strings and numbers, nested argument lists): two keys have the same text exactly when they
	 * are {@code equals}.
	 */
	@Test
	void keysHaveTheSameTextExactlyWhenTheyAreEqual() {
		Random random = new Random(12);
		Map<String, Object> byText = new HashMap<>();
		Map<Object, String> byKey = new HashMap<>();
		for (int i = 0; i < 3000; i++) {
			Object key = randomKey(random, 0);
			String text = this.cache.backendKey(key);
			Object other = byText.putIfAbsent(text, key);
			assertThat(other).as("key %s and key %s share the text %s", key, other, text).satisfiesAnyOf(
					(o) -> assertThat(o).isNull(), (o) -> assertThat(o).isEqualTo(key));
			String before = byKey.putIfAbsent(key, text);
			assertThat(before).as("equal keys %s, different texts", key).satisfiesAnyOf(
					(t) -> assertThat(t).isNull(), (t) -> assertThat(t).isEqualTo(text));
		}
		assertThat(byText).hasSizeGreaterThan(1000);
	}

	private static Object randomKey(Random random, int depth) {
		String[] pieces = { "a", "b", ", ", ",", " ", ":", "1", "2", "~", "#", "null", "[", "]", "=" };
		switch ((depth < 2) ? random.nextInt(7) : random.nextInt(4)) {
			case 0, 1 -> {
				StringBuilder text = new StringBuilder();
				for (int n = random.nextInt(4); n > 0; n--) {
					text.append(pieces[random.nextInt(pieces.length)]);
				}
				return text.toString();
			}
			case 2 -> {
				return (random.nextBoolean()) ? (Object) random.nextInt(13) : (Object) (long) random.nextInt(13);
			}
			case 3 -> {
				return random.nextBoolean();
			}
			case 4 -> {
				Object[] parts = new Object[random.nextInt(4)];
				for (int p = 0; p < parts.length; p++) {
					parts[p] = (random.nextInt(8) == 0) ? null : randomKey(random, depth + 1);
				}
				return new SimpleKey(parts);
			}
			case 5 -> {
				List<Object> list = new ArrayList<>();
				for (int n = random.nextInt(3); n > 0; n--) {
					list.add(randomKey(random, depth + 1));
				}
				return list;
			}
			default -> {
				return new Pair(String.valueOf(randomKey(random, 2)), String.valueOf(randomKey(random, 2)));
			}
		}
	}

	enum Color {

		RED

	}

	enum Shouting {

		LOUD, QUIET;

		@Override
		public String toString() {
			return "SHOUT";
		}

	}

	record Query(String text, int count) {
	}

	record Pair(String a, String b) {
	}

}
