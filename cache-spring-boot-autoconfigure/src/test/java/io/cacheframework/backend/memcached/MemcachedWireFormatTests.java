package io.cacheframework.backend.memcached;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes and flags on the wire, read with raw text-protocol commands: what Django's clients write and read.
 */
class MemcachedWireFormatTests extends MemcachedBackendTestSupport {

	@Test
	void stringIsUtf8WithFlags16() throws Exception {
		this.cache.set("username", "guyan");
		this.cache.set("chinese", "清");
		MemcachedServer.Item item = server.rawGet(":1:username");
		assertThat(item.flags()).isEqualTo(16);
		assertThat(item.text()).isEqualTo("guyan");
		assertThat(server.rawGet(":1:chinese").data()).isEqualTo("清".getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void integerIsAsciiDecimalWithFlags2() throws Exception {
		this.cache.set("answer", 42);
		this.cache.set("neg", -7);
		assertThat(server.rawGet(":1:answer")).satisfies((item) -> {
			assertThat(item.flags()).isEqualTo(2);
			assertThat(item.text()).isEqualTo("42");
		});
		assertThat(server.rawGet(":1:neg").text()).isEqualTo("-7");
		assertThat(this.cache.get("answer")).isEqualTo(42).isInstanceOf(Integer.class);
	}

	@Test
	void longIsAsciiDecimalWithFlags4() throws Exception {
		this.cache.set("big", 12345678901L);
		this.cache.set("small", 5L);
		MemcachedServer.Item item = server.rawGet(":1:big");
		assertThat(item.flags()).isEqualTo(4);
		assertThat(item.text()).isEqualTo("12345678901");
		assertThat(this.cache.get("small")).isEqualTo(5L).isInstanceOf(Long.class);
	}

	@Test
	void bytesAreRawWithFlags0() throws Exception {
		byte[] blob = { 0, 1, 'r', 'a', 'w', ' ', 'b', 'y', 't', 'e', 's', (byte) 0xff };
		this.cache.set("blob", blob);
		MemcachedServer.Item item = server.rawGet(":1:blob");
		assertThat(item.flags()).isEqualTo(0);
		assertThat(item.data()).isEqualTo(blob);
		assertThat(this.cache.get("blob")).isEqualTo(blob);
	}

	@Test
	void largeValueIsZlibCompressedWithFlag8() throws Exception {
		String large = "spam and eggs ".repeat(10_000);
		this.cache.set("large", large);
		MemcachedServer.Item item = server.rawGet(":1:large");
		assertThat(item.flags()).isEqualTo(16 | 8);
		assertThat(item.data().length).isLessThan(large.length() / 10);
		// zlib as python-memcached writes it: zlib.decompress() gives the UTF-8 text.
		assertThat(new String(Zlib.decompress(item.data(), 1 << 20), StandardCharsets.UTF_8)).isEqualTo(large);
		assertThat(this.cache.get("large")).isEqualTo(large);
	}

	@Test
	void otherObjectsUseTheJavaOnlyFlag() throws Exception {
		List<String> list = new ArrayList<>(List.of("a", "b"));
		this.cache.set("list", list);
		this.cache.set("nothing", null);
		MemcachedServer.Item item = server.rawGet(":1:list");
		assertThat(item.flags()).isEqualTo(0x4A00);
		// None of the bits Python clients test (1 pickle, 2 int, 4 long, 8 zlib, 16 text) is set.
		assertThat(item.flags() & 0x1f).isZero();
		assertThat(this.cache.get("list")).isEqualTo(list);
		assertThat(this.cache.hasKey("nothing")).isTrue();
		assertThat(this.cache.getOrDefault("nothing", "default")).isNull();
	}

	@Test
	void djangoWrittenValuesAreRead() throws Exception {
		assertThat(server.rawSet(":1:username", 16, "guyan".getBytes(StandardCharsets.UTF_8))).isEqualTo("STORED");
		server.rawSet(":1:answer", 2, "42".getBytes(StandardCharsets.US_ASCII));
		server.rawSet(":1:neg", 2, "-7".getBytes(StandardCharsets.US_ASCII));
		server.rawSet(":1:huge", 2, "12345678901".getBytes(StandardCharsets.US_ASCII));
		server.rawSet(":1:pylibmc", 4, "42".getBytes(StandardCharsets.US_ASCII));
		server.rawSet(":1:blob", 0, new byte[] { 0, 1, (byte) 0xff });
		server.rawSet(":1:zipped", 16 | 8, Zlib.compress("compressed by python-memcached".getBytes(StandardCharsets.UTF_8)));
		assertThat(this.cache.get("username")).isEqualTo("guyan");
		assertThat(this.cache.get("answer")).isEqualTo(42);
		assertThat(this.cache.get("neg")).isEqualTo(-7);
		assertThat(this.cache.get("huge")).isEqualTo(12345678901L);
		assertThat(this.cache.get("pylibmc")).isEqualTo(42L);
		assertThat(this.cache.get("blob")).isEqualTo(new byte[] { 0, 1, (byte) 0xff });
		assertThat(this.cache.get("zipped")).isEqualTo("compressed by python-memcached");
		assertThat(this.cache.getMany(List.of("username", "answer", "blob"))).containsOnlyKeys("username", "answer",
				"blob");
	}

	@Test
	void djangosPickleIsReadAsPlainDataAndAForeignFlagIsAMissAndRemoved() throws Exception {
		// {'a': 1} pickled by pymemcache (protocol 4, flag 1).
		server.rawSet(":1:pickle", 1, hex("80049509000000000000007d948c0161944b01732e"));
		server.rawSet(":1:unknown", 0x100, new byte[] { 1, 2, 3 });
		assertThat(this.cache.get("pickle")).isEqualTo(Map.of("a", 1));
		assertThat(this.cache.getMany(List.of("pickle"))).containsEntry("pickle", Map.of("a", 1));
		assertThat(this.cache.get("unknown")).isNull();
		assertThat(server.rawGet(":1:unknown")).isNull();
		assertThat(this.cache.statistics().errors()).isEqualTo(1);
	}

	/**
	 * A pickle that would call {@code os.system} (protocol 0: {@code GLOBAL os system}, {@code REDUCE}): refused as
	 * soon as the global is named, so a miss; a warning names the global, once, not on every read; the entry stays
	 * for Django, which may read it (a model instance is refused the same way and is Django's own data).
	 */
	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aPickleNamingAnotherGlobalIsAMissWarnedOnceAndLeftForDjango(CapturedOutput output) throws Exception {
		byte[] hostile = "cos\nsystem\n(S'touch /tmp/never'\ntR.".getBytes(StandardCharsets.US_ASCII);
		server.rawSet(":1:hostile", 1, hostile);
		assertThat(this.cache.getOrDefault("hostile", "default")).isEqualTo("default");
		assertThat(this.cache.getMany(List.of("hostile"))).isEmpty();
		assertThat(this.cache.get("hostile")).isNull();
		assertThat(server.rawGet(":1:hostile").data()).isEqualTo(hostile);
		assertThat(this.cache.statistics().errors()).isEqualTo(3);
		assertThat(output.getOut() + output.getErr()).contains("os.system");
		int first = (output.getOut() + output.getErr()).indexOf("os.system");
		assertThat((output.getOut() + output.getErr()).indexOf("os.system", first + 1)).as("rate-limited")
			.isEqualTo(-1);
		assertThat(Path.of("/tmp/never")).doesNotExist();
	}

	/**
	 * {@code value-format: pickle}: what Python can represent is a protocol-4 pickle under flag 1 and reads back as
	 * the generic types; plain values keep Django's flags; what Python cannot represent keeps the Java flag.
	 */
	@Test
	void valueFormatPickleWritesProtocol4PicklesWithFlag1() throws Exception {
		MemcachedOptions options = new MemcachedOptions();
		options.setValueFormat(ValueCodec.Format.PICKLE);
		try (MemcachedCacheBackend pickling = new MemcachedCacheBackend(
				CacheSettings.builder("default").location(server.location()).build(), options,
				new DefaultValueSerializer())) {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("n", 1);
			map.put("x", 2.5);
			map.put("list", List.of("a", true));
			pickling.set("map", map);
			pickling.set("decimal", new BigDecimal("1.10"));
			pickling.set("date", LocalDate.of(2024, 2, 29));
			pickling.set("text", "plain");
			pickling.set("number", 7);
			pickling.set("opaque", new StringBuilder("no Python equivalent"));
			for (String key : List.of("map", "decimal", "date")) {
				MemcachedServer.Item item = server.rawGet(":1:" + key);
				assertThat(item.flags()).as(key).isEqualTo(1);
				assertThat(item.data()[0] & 0xff).isEqualTo(0x80);
				assertThat(item.data()[1]).isEqualTo((byte) 4);
			}
			assertThat(server.rawGet(":1:text").flags()).isEqualTo(16);
			assertThat(server.rawGet(":1:number").flags()).isEqualTo(2);
			assertThat(server.rawGet(":1:opaque").flags()).isEqualTo(0x4A00);
			assertThat(pickling.get("map")).isEqualTo(map);
			assertThat(pickling.get("decimal")).isEqualTo(new BigDecimal("1.10"));
			assertThat(pickling.get("date")).isEqualTo(LocalDate.of(2024, 2, 29));
			// The default format reads the pickles too.
			assertThat(this.cache.get("map")).isEqualTo(map);
		}
	}

	@Test
	void javaSerializedBytesOfAClassOutsideTheAllowListAreRefused() throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(new canarytest.Canary());
		}
		byte[] payload = new byte[bytes.size() + 1];
		// DefaultValueSerializer's marker for a Java-serialized value.
		payload[0] = 16;
		System.arraycopy(bytes.toByteArray(), 0, payload, 1, bytes.size());
		server.rawSet(":1:canary", 0x4A00, payload);
		assertThat(this.cache.get("canary") == null).isTrue();
		assertThat(canarytest.Canary.deserialized).isFalse();
		assertThat(server.rawGet(":1:canary")).isNull();
	}

	@Test
	void compressedBombIsAMiss() throws Exception {
		byte[] bomb = Zlib.compress(new byte[64 * 1024 * 1024]);
		assertThat(bomb.length).isLessThan(1024 * 1024);
		server.rawSet(":1:bomb", 8, bomb);
		assertThat(this.cache.getOrDefault("bomb", "default")).isEqualTo("default");
	}

	@Test
	void incrementsKeepFlagsAndType() throws Exception {
		this.cache.set("answer", 41);
		assertThat(this.cache.incr("answer")).isEqualTo(42);
		assertThat(server.rawGet(":1:answer").flags()).isEqualTo(2);
		assertThat(this.cache.get("answer")).isEqualTo(42);
		this.cache.set("long", 41L);
		this.cache.incr("long");
		assertThat(this.cache.get("long")).isEqualTo(42L);
		this.cache.set("text", "5");
		assertThat(this.cache.incr("text")).isEqualTo(6);
		assertThat(this.cache.get("text")).isEqualTo("6");
		this.cache.set("edge", Integer.MAX_VALUE);
		this.cache.incr("edge");
		assertThat(this.cache.get("edge")).isEqualTo(Integer.MAX_VALUE + 1L);
		// memcached pads a shrinking number with spaces: still read as a number.
		this.cache.set("shrink", 100);
		this.cache.decr("shrink", 95);
		assertThat(this.cache.get("shrink")).isEqualTo(5);
	}

	@Test
	void timeoutsAreConvertedAsDjangoDoes() {
		Instant now = Instant.ofEpochSecond(1468749600);
		try (MemcachedCacheBackend fixed = new MemcachedCacheBackend(CacheSettings.builder("fixed")
			.location(server.location())
			.clock(Clock.fixed(now, ZoneOffset.UTC))
			.build())) {
			assertThat(fixed.exptime(Timeout.NEVER)).isEqualTo(0);
			assertThat(fixed.exptime(Timeout.seconds(0))).isEqualTo(-1);
			assertThat(fixed.exptime(Timeout.of(Duration.ofMillis(500)))).isEqualTo(-1);
			assertThat(fixed.exptime(Timeout.of(Duration.ofMillis(-500)))).isEqualTo(-1);
			assertThat(fixed.exptime(Timeout.seconds(-5))).isEqualTo(-5);
			assertThat(fixed.exptime(Timeout.of(Duration.ofMillis(100_200)))).isEqualTo(100);
			assertThat(fixed.exptime(Timeout.seconds(2592000))).isEqualTo(2592000);
			assertThat(fixed.exptime(Timeout.seconds(2592001))).isEqualTo(1471341601);
		}
	}

	@Test
	void longTimeoutsStillStore() {
		this.cache.set("month", "value", Timeout.seconds(2592001));
		this.cache.set("forever", "value", Timeout.NEVER);
		this.cache.set("zero", "value", Timeout.seconds(0));
		assertThat(this.cache.get("month")).isEqualTo("value");
		assertThat(this.cache.get("forever")).isEqualTo("value");
		assertThat(this.cache.get("zero")).isNull();
	}

	@Test
	void compressionCanBeDisabledForPymemcacheReaders() throws Exception {
		MemcachedOptions options = new MemcachedOptions();
		options.setCompressionThreshold(org.springframework.util.unit.DataSize.ofBytes(0));
		try (MemcachedCacheBackend plain = new MemcachedCacheBackend(
				CacheSettings.builder("plain").location(server.location()).build(), options,
				new DefaultValueSerializer())) {
			String large = "x".repeat(100_000);
			plain.set("large", large);
			assertThat(server.rawGet(":1:large").flags()).isEqualTo(16);
		}
	}

	private static byte[] hex(String hex) {
		byte[] bytes = new byte[hex.length() / 2];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
		}
		return bytes;
	}

}
