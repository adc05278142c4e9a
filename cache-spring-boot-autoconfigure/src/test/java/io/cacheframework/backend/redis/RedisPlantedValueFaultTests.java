package io.cacheframework.backend.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheSettings;
import javax.management.BadAttributeValueExpException;

import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickledJavaValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Values planted in Redis by whoever can write to it are never trusted: each is a miss, counted, the call stays
 * fast, and nothing else breaks. Planted through a raw connection, as another client would.
 */
class RedisPlantedValueFaultTests {

	private static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	private static RedisCacheBackend cache() {
		return cache(new RedisOptions());
	}

	private static RedisCacheBackend cache(RedisOptions options) {
		return new RedisCacheBackend(CacheSettings.builder("planted").location(server.location()).build(), options,
				new DefaultValueSerializer());
	}

	private static void plant(String key, byte[] value) {
		server.raw().set(key.getBytes(StandardCharsets.UTF_8), value);
	}

	@Test
	void hostileAndForeignValuesAreMisses() {
		try (RedisCacheBackend cache = cache()) {
			plant(":1:digits", "9".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII));
			plant(":1:garbage", new byte[] { (byte) 0x80, 5, (byte) 0x95, 1, 2, 3 });
			// A Java serialization stream of a class outside the allow-list (a classic gadget's first link), in the
			// Java-only envelope: the serialization filter refuses it before it is built.
			plant(":1:java", PickledJavaValue.wrap(javaStream(new BadAttributeValueExpException("x"))));
			plant(":1:nested", deepPickle(100_000));
			server.raw().hset(":1:hash".getBytes(StandardCharsets.UTF_8), "f".getBytes(StandardCharsets.UTF_8),
					"v".getBytes(StandardCharsets.UTF_8));
			cache.set("fine", "ok");
			long errors = cache.statistics().errors();
			long start = System.nanoTime();
			for (String key : List.of("digits", "garbage", "java", "nested", "hash")) {
				assertThat(cache.get(key)).as(key).isNull();
			}
			assertThat(cache.getMany(List.of("digits", "garbage", "java", "nested", "fine")))
				.isEqualTo(Map.of("fine", "ok"));
			assertThat((System.nanoTime() - start) / 1_000_000).as("ms for the planted reads").isLessThan(2000);
			assertThat(cache.statistics().errors() - errors).isGreaterThanOrEqualTo(9);
			assertThatIllegalStateException().isThrownBy(() -> cache.incr("hash"));
			// The store's keys of other types are still overwritten by a set, as in Django.
			cache.set("hash", "now a string");
			assertThat(cache.get("hash")).isEqualTo("now a string");
		}
	}

	/**
	 * A 64 MB value takes longer than the default operation timeout to arrive on a loaded machine (a miss by timeout);
	 * with a long timeout it arrives, and is still a miss, without a copy or a parse.
	 */
	@Test
	void aValueOverTheLimitIsNeverCopiedAndIsAMiss() {
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(java.time.Duration.ofSeconds(20));
		try (RedisCacheBackend cache = cache(options)) {
			byte[] huge = new byte[(int) BoundedByteArrayCodec.MAX_VALUE_BYTES + 1];
			huge[0] = (byte) 0x80;
			plant(":1:huge", huge);
			huge = null;
			cache.set("small", "s");
			assertThat(cache.get("huge")).isNull();
			assertThat(cache.getMany(List.of("huge", "small"))).isEqualTo(Map.of("small", "s"));
			assertThat(cache.get("small")).isEqualTo("s");
			server.raw().del(":1:huge".getBytes(StandardCharsets.UTF_8));
		}
	}

	private static byte[] javaStream(Object value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write(16);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return bytes.toByteArray();
	}

	/** A pickle of a list nested {@code depth} deep: {@code (((...)))}. */
	private static byte[] deepPickle(int depth) {
		byte[] pickle = new byte[2 + depth * 2 + 1];
		pickle[0] = (byte) 0x80;
		pickle[1] = 4;
		for (int i = 0; i < depth; i++) {
			pickle[2 + i] = ']';
		}
		for (int i = 0; i < depth; i++) {
			pickle[2 + depth + i] = 'a';
		}
		pickle[pickle.length - 1] = '.';
		return pickle;
	}

}
