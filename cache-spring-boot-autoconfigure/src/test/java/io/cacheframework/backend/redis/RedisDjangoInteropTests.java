package io.cacheframework.backend.redis;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickledJavaValue;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.cacheframework.backend.redis.DjangoPeer.bool;
import static io.cacheframework.backend.redis.DjangoPeer.bytes;
import static io.cacheframework.backend.redis.DjangoPeer.decimalFloat;
import static io.cacheframework.backend.redis.DjangoPeer.dict;
import static io.cacheframework.backend.redis.DjangoPeer.integer;
import static io.cacheframework.backend.redis.DjangoPeer.list;
import static io.cacheframework.backend.redis.DjangoPeer.none;
import static io.cacheframework.backend.redis.DjangoPeer.ok;
import static io.cacheframework.backend.redis.DjangoPeer.op;
import static io.cacheframework.backend.redis.DjangoPeer.str;
import static io.cacheframework.backend.redis.DjangoPeer.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * Sharing one Redis with a Django application: a Python peer that follows Django 6.1's {@code RedisCache} rules with
 * redis-py ({@code django_redis_peer.py}) and this backend read each other's str, int, bytes, bool, float, dict and
 * list, share counters, make the same keys and timeouts; a Java-only value reads in Django as {@code bytes}, never an
 * error; a hostile pickle planted through Django's own {@code set} is a miss in Java and runs nothing.
 */
class RedisDjangoInteropTests {

	private static RedisServer server;

	private final List<RedisCacheBackend> caches = new ArrayList<>();

	@BeforeAll
	static void startServer() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@AfterEach
	void closeCaches() {
		this.caches.forEach(RedisCacheBackend::close);
		server.raw().flushall();
	}

	private RedisCacheBackend java(ValueCodec.Format format) {
		return java(format, "", 1);
	}

	private RedisCacheBackend java(ValueCodec.Format format, String keyPrefix, int version) {
		RedisOptions options = new RedisOptions();
		options.setValueFormat(format);
		RedisCacheBackend cache = new RedisCacheBackend(CacheSettings.builder("shared")
			.location(server.location())
			.keyPrefix(keyPrefix)
			.version(version)
			.build(), options, new DefaultValueSerializer());
		this.caches.add(cache);
		return cache;
	}

	private static DjangoPeer django() {
		return new DjangoPeer(server.location(), "", 1);
	}

	@Test
	void javaReadsWhatDjangoWrites() {
		Map<String, DjangoPeer.Typed> person = new LinkedHashMap<>();
		person.put("name", str("guyan"));
		person.put("langs", list(str("python"), str("java")));
		person.put("age", integer("42"));
		django().run(op("set", "key", "str", "value", str("h\u00e9llo \u2713")),
				op("set", "key", "int", "value", integer("42")),
				op("set", "key", "big", "value", integer("1099511627776")),
				op("set", "key", "negative", "value", integer("-7")),
				op("set", "key", "bytes", "value", bytes(new byte[] { 0, 1, (byte) 0xff })),
				op("set", "key", "bool", "value", bool(true)), op("set", "key", "float", "value", decimalFloat("1.5")),
				op("set", "key", "dict", "value", dict(person)),
				op("set", "key", "list", "value", list(integer("1"), str("x"), none(), decimalFloat("2.5"))),
				op("set", "key", "none", "value", none()));
		for (ValueCodec.Format format : ValueCodec.Format.values()) {
			RedisCacheBackend cache = java(format);
			assertThat(cache.get("str")).isEqualTo("h\u00e9llo \u2713");
			assertThat(cache.get("int")).isExactlyInstanceOf(Integer.class).isEqualTo(42);
			assertThat(cache.get("big")).isExactlyInstanceOf(Long.class).isEqualTo(1L << 40);
			assertThat(cache.get("negative")).isEqualTo(-7);
			assertThat(cache.get("bytes", byte[].class)).containsExactly(0, 1, 0xff);
			assertThat(cache.get("bool")).isEqualTo(Boolean.TRUE);
			assertThat(cache.get("float")).isExactlyInstanceOf(Double.class).isEqualTo(1.5);
			assertThat(cache.get("dict")).isEqualTo(Map.of("name", "guyan", "langs", List.of("python", "java"), "age", 42));
			assertThat(cache.get("list")).isEqualTo(Arrays.asList(1, "x", null, 2.5));
			assertThat(cache.hasKey("none")).isTrue();
			assertThat(cache.getOrDefault("none", "default")).isNull();
			assertThat(cache.getMany(List.of("str", "int", "bool", "none", "missing"))).containsOnlyKeys("str", "int",
					"bool", "none");
		}
	}

	@Test
	void djangoReadsWhatJavaWritesInEitherValueFormat() {
		for (ValueCodec.Format format : ValueCodec.Format.values()) {
			RedisCacheBackend cache = java(format);
			cache.set("str", "h\u00e9llo \u2713");
			cache.set("int", 42);
			cache.set("long", 1L << 40);
			cache.set("small-long", 7L);
			cache.set("bytes", new byte[] { 0, 1, (byte) 0xff });
			cache.set("bool", false);
			cache.set("float", 1.5d);
			cache.set("none", null);
			List<Map<String, Object>> answers = django().run(op("get", "key", "str"), op("get", "key", "int"),
					op("get", "key", "long"), op("get", "key", "small-long"), op("get", "key", "bytes"),
					op("get", "key", "bool"), op("get", "key", "float"), op("has_key", "key", "none"),
					op("get", "key", "none", "default", "absent"));
			assertThat(ok(answers.get(0))).containsEntry("t", "str").containsEntry("v", "h\u00e9llo \u2713");
			assertThat(ok(answers.get(1))).containsEntry("t", "int").containsEntry("v", "42");
			assertThat(ok(answers.get(2))).containsEntry("t", "int").containsEntry("v", Long.toString(1L << 40));
			assertThat(ok(answers.get(3))).containsEntry("t", "int").containsEntry("v", "7");
			assertThat(ok(answers.get(4))).containsEntry("t", "bytes").containsEntry("v", "0001ff");
			assertThat(ok(answers.get(5))).containsEntry("t", "bool").containsEntry("v", false);
			assertThat(ok(answers.get(6))).containsEntry("t", "float").containsEntry("v", "1.5");
			assertThat(ok(answers.get(7))).containsEntry("v", true);
			assertThat(ok(answers.get(8))).containsEntry("t", "none");
			// Java reads its own back with its types.
			assertThat(cache.get("small-long")).isEqualTo(
					(format == ValueCodec.Format.JAVA) ? (Object) 7L : (Object) 7);
			assertThat(cache.get("float")).isEqualTo(1.5d);
		}
	}

	@Test
	void djangoReadsJavasMapsAndListsWithValueFormatPickle() {
		RedisCacheBackend cache = java(ValueCodec.Format.PICKLE);
		Map<String, Object> person = new LinkedHashMap<>();
		person.put("name", "guyan");
		person.put("langs", List.of("python", "java"));
		person.put("ratio", 0.25d);
		cache.set("dict", person);
		cache.set("list", Arrays.asList(1, "x", null, true));
		List<Map<String, Object>> answers = django().run(op("repr", "key", "dict"), op("repr", "key", "list"));
		assertThat(ok(answers.get(0))).containsEntry("v", "{'name': 'guyan', 'langs': ['python', 'java'], 'ratio': 0.25}");
		assertThat(ok(answers.get(1))).containsEntry("v", "[1, 'x', None, True]");
	}

	@Test
	void countersAreShared() {
		RedisCacheBackend cache = java(ValueCodec.Format.JAVA);
		django().run(op("set", "key", "views", "value", integer("10")));
		assertThat(cache.incr("views", 5)).isEqualTo(15);
		assertThat(ok(django().run(op("incr", "key", "views")).get(0))).containsEntry("v", "16");
		assertThat(cache.get("views")).isEqualTo(16);
		cache.set("hits", 1);
		List<Map<String, Object>> answers = django().run(op("incr", "key", "hits", "delta", 2),
				op("decr", "key", "hits"), op("get", "key", "hits"));
		assertThat(ok(answers.get(0))).containsEntry("v", "3");
		assertThat(ok(answers.get(1))).containsEntry("v", "2");
		assertThat(cache.decr("hits", 5)).isEqualTo(-3);
		assertThat(ok(django().run(op("get", "key", "hits")).get(0))).containsEntry("v", "-3");
		// Both refuse a missing counter and neither creates it.
		assertThat(django().run(op("incr", "key", "missing")).get(0).get("error"))
			.isEqualTo("ValueError: Key ':1:missing' not found.");
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("missing"));
		assertThat(cache.hasKey("missing")).isFalse();
		// A Java Long counter keeps its type in Java; Django reads it as int. Django's own incr is Redis's INCRBY, which
		// works on decimal text only: with value-format pickle a Long is decimal text and Django can incr it too.
		cache.set("long-counter", 100L);
		assertThat(cache.incr("long-counter")).isEqualTo(101L);
		assertThat(cache.get("long-counter")).isEqualTo(101L);
		assertThat(ok(django().run(op("get", "key", "long-counter")).get(0))).containsEntry("v", "101");
		assertThat((String) django().run(op("incr", "key", "long-counter")).get(0).get("error"))
			.startsWith("ResponseError");
		RedisCacheBackend pickle = java(ValueCodec.Format.PICKLE);
		pickle.set("pickle-counter", 100L);
		assertThat(ok(django().run(op("incr", "key", "pickle-counter")).get(0))).containsEntry("v", "101");
		assertThat(pickle.incr("pickle-counter")).isEqualTo(102);
	}

	@Test
	void javaOnlyValuesNeverMakeDjangosGetRaise() {
		RedisCacheBackend cache = java(ValueCodec.Format.JAVA);
		cache.set("record", new Poll("Which backend?", 7));
		cache.set("uuid", UUID.fromString("5f51bca0-050c-4d34-9b43-d123e75c0e57"));
		cache.set("date", LocalDate.of(2026, 11, 22));
		cache.set("map", new LinkedHashMap<>(Map.of("a", 1)));
		RedisCacheBackend pickle = java(ValueCodec.Format.PICKLE);
		pickle.set("pickle-uuid", UUID.randomUUID());
		List<Map<String, Object>> answers = django().run(op("get", "key", "record"), op("get", "key", "uuid"),
				op("get", "key", "date"), op("get", "key", "map"), op("get", "key", "pickle-uuid"),
				op("get_many", "keys", DjangoPeer.raw("[\"record\", \"uuid\"]")));
		String magic = HexFormat.of().formatHex(PickledJavaValue.MAGIC);
		for (Map<String, Object> answer : answers.subList(0, 5)) {
			assertThat(ok(answer)).containsEntry("t", "bytes");
			assertThat((String) ok(answer).get("v")).startsWith(magic);
		}
		assertThat(ok(answers.get(5))).containsEntry("t", "dict");
		assertThat(cache.get("record")).isEqualTo(new Poll("Which backend?", 7));
		assertThat(cache.get("date")).isEqualTo(LocalDate.of(2026, 11, 22));
		assertThat(cache.get("map")).isExactlyInstanceOf(LinkedHashMap.class);
	}

	@Test
	void aHostilePickleIsAMissAndRunsNothing(@TempDir Path dir) {
		Path marker = dir.resolve("pwned");
		RedisCacheBackend cache = java(ValueCodec.Format.JAVA);
		django().run(op("plant_system", "key", "evil", "marker", marker.toString()),
				op("plant_model", "key", "person", "name", "guyan"), op("set", "key", "fine", "value", str("ok")));
		long errors = cache.statistics().errors();
		assertThat(cache.get("evil")).isNull();
		assertThat(cache.get("person")).isNull();
		assertThat(cache.getMany(List.of("evil", "person", "fine"))).containsOnly(entry("fine", "ok"));
		assertThat(cache.getOrSet("evil", () -> "computed")).isEqualTo("computed");
		assertThat(Files.exists(marker)).as("os.system ran").isFalse();
		assertThat(cache.statistics().errors() - errors).isGreaterThanOrEqualTo(4);
		// Left in place for its owner: the Django application still reads its model instance.
		assertThat(ok(django().run(op("get_model", "key", "person")).get(0))).containsEntry("v", "guyan");
		assertThat(server.raw().get(":1:evil".getBytes(StandardCharsets.UTF_8))).isNotNull();
	}

	@Test
	void keysPrefixesVersionsAndTimeoutsMatchDjangos() {
		RedisCacheBackend cache = java(ValueCodec.Format.JAVA, "shared", 2);
		DjangoPeer django = new DjangoPeer(server.location(), "shared", 2);
		cache.set("from-java", "j");
		django.run(op("set", "key", "from-django", "value", str("d")));
		assertThat(cache.get("from-django")).isEqualTo("d");
		assertThat(ok(django.run(op("get", "key", "from-java")).get(0))).containsEntry("v", "j");
		assertThat(cache.makeKey("k")).isEqualTo("shared:2:k");

		cache.set("fraction", "v", Timeout.of(Duration.ofMillis(100_900)));
		cache.set("forever", "v", Timeout.NEVER);
		cache.set("default", "v");
		List<Map<String, Object>> ttls = django.run(op("ttl", "key", "shared:2:fraction"),
				op("ttl", "key", "shared:2:forever"), op("ttl", "key", "shared:2:default"));
		assertThat(ok(ttls.get(0))).containsEntry("v", "100");
		assertThat(ok(ttls.get(1))).containsEntry("v", "-1");
		assertThat(ok(ttls.get(2))).containsEntry("v", "300");
		// Zero deletes, on both sides.
		cache.set("from-django", "gone", Timeout.seconds(0));
		assertThat(ok(django.run(op("has_key", "key", "from-django")).get(0))).containsEntry("v", false);
		django.run(op("set", "key", "from-java", "value", str("x"), "timeout", timeout("0")));
		assertThat(cache.hasKey("from-java")).isFalse();
		// Django's touch(None) makes Java's entry permanent.
		cache.set("touched", "v", Timeout.seconds(100));
		django.run(op("touch", "key", "touched", "timeout", none()));
		assertThat(ok(django.run(op("ttl", "key", "shared:2:touched")).get(0))).containsEntry("v", "-1");
	}

	@Test
	void clearWithAKeyPrefixLeavesDjangosKeysAlone() {
		RedisCacheBackend prefixed = java(ValueCodec.Format.JAVA, "javaapp", 1);
		prefixed.setMany(Map.of("a", 1, "b", 2));
		django().run(op("set", "key", "django-key", "value", str("kept")));
		prefixed.clear();
		assertThat(prefixed.getMany(List.of("a", "b"))).isEmpty();
		assertThat(ok(django().run(op("get", "key", "django-key")).get(0))).containsEntry("v", "kept");
		// Without a prefix, clear() is Django's FLUSHDB: everything goes, as when Django clears.
		RedisCacheBackend unprefixed = java(ValueCodec.Format.JAVA);
		unprefixed.clear();
		assertThat(django().run(op("has_key", "key", "django-key")).get(0)).isEqualTo(Map.of("ok",
				Map.of("t", "bool", "v", false)));
	}

	/**
	 * An application type, Java-only.
	 * @param question the question
	 * @param votes the votes
	 */
	record Poll(String question, int votes) implements Serializable {
	}

}
