package io.cacheframework.serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.cacheframework.core.ValueNotStorableException;
import org.junit.jupiter.api.Test;

import static io.cacheframework.serializer.PickleTestValues.describe;
import static io.cacheframework.serializer.PickleTestValues.frozenset;
import static io.cacheframework.serializer.PickleTestValues.list;
import static io.cacheframework.serializer.PickleTestValues.map;
import static io.cacheframework.serializer.PickleTestValues.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The pickle writer: what it writes reads back through {@link PickleReader} as the generic types; what Python would
 * not read back as the same data is refused, with where it is in the value; and nothing it writes is over the
 * reader's limits. (That Python itself reads the output is {@link PicklePythonTests}.)
 */
class PickleWriterTests {

	private final PickleWriter writer = new PickleWriter();

	private final PickleReader reader = new PickleReader();

	@Test
	void valuesReadBackAsTheGenericTypes() {
		Map<Object, Object> keys = new LinkedHashMap<>();
		keys.put(List.of(1, "a"), "list key → tuple");
		keys.put(Set.of(2), "set key → frozenset");
		keys.put(new Object[] { 3 }, "array key → tuple");
		Map<String, Object> value = new LinkedHashMap<>();
		value.put("short", (short) 3);
		value.put("float", 0.25f);
		value.put("long", 1L);
		value.put("big", BigInteger.valueOf(Long.MAX_VALUE));
		value.put("bigger", BigInteger.TWO.pow(64));
		value.put("array", new String[] { "a", "b" });
		value.put("longs", new long[] { 1L << 40 });
		value.put("immutable", List.of(1));
		value.put("set", Set.of("x"));
		value.put("instant", Instant.parse("2024-01-01T00:00:00Z"));
		value.put("zoned", ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("America/New_York")));
		value.put("offset_time", OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHours(-3)));
		value.put("keys", keys);

		Object read = this.reader.read(this.writer.write(value));

		Map<Object, Object> expectedKeys = map(tuple(1, "a"), "list key → tuple", frozenset(2), "set key → frozenset",
				tuple(3), "array key → tuple");
		Map<Object, Object> expected = map("short", 3, "float", 0.25d, "long", 1, "big", Long.MAX_VALUE, "bigger",
				BigInteger.TWO.pow(64), "array", list("a", "b"), "longs", list(1L << 40), "immutable", list(1), "set",
				new LinkedHashSet<>(List.of("x")), "instant", OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
				"zoned", OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(-5)), "offset_time",
				OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHours(-3)), "keys", expectedKeys);
		assertThat(describe(read)).isEqualTo(describe(expected));
	}

	@Test
	void theOutputIsProtocolFour() {
		byte[] pickle = this.writer.write(List.of());
		assertThat(pickle).containsExactly(0x80, 4, ']', '.');
	}

	@Test
	void valuesWithNoPythonEquivalentAreRefusedWithTheirPlace() {
		Map<String, Object> value = map2("a", list(1, 2, UUID.randomUUID()));
		assertNotRepresentable(value, "value['a'][2]", "java.util.UUID has no Python equivalent");
		assertNotRepresentable(Optional.of(1), "the value", "java.util.Optional has no Python equivalent");
		assertNotRepresentable('c', "the value", "java.lang.Character has no Python equivalent");
		assertNotRepresentable(new ArrayDeque<>(List.of(1)), "the value", "neither a List nor a Set");
		assertNotRepresentable(map(map(), 1), "value[a java.util.LinkedHashMap key]", "a Map as a dict key");
	}

	@Test
	void whatPythonCannotHoldExactlyIsRefused() {
		assertNotRepresentable(LocalDateTime.of(2024, 1, 1, 0, 0, 0, 1), "the value", "nanoseconds (1)");
		assertNotRepresentable(LocalTime.of(0, 0, 0, 999), "the value", "nanoseconds");
		assertNotRepresentable(Duration.ofNanos(1), "the value", "nanoseconds");
		assertNotRepresentable(Duration.ofDays(1_000_000_000L), "the value", "beyond Python's timedelta range");
		assertNotRepresentable(LocalDate.of(0, 1, 1), "the value", "the year 0");
		assertNotRepresentable(LocalDate.of(10_000, 1, 1), "the value", "the year 10000");
		assertNotRepresentable(Instant.MAX, "the value", "outside Python's years 1-9999");
		assertNotRepresentable(BigInteger.TEN.pow(5000), "the value", "over the limit of 1787");
		assertNotRepresentable(new BigDecimal("1E+5000"), "the value", "an exponent beyond 4300");
		assertNotRepresentable(new BigDecimal(BigInteger.TEN.pow(4300)), "the value", "more than 4300 digits");
	}

	@Test
	void keysPythonConsidersEqualAreRefusedRatherThanMerged() {
		assertNotRepresentable(map(1, "a", 1L, "b"), "value[a java.lang.Long key]",
				"a java.lang.Integer key and a java.lang.Long key that are equal in Python");
		assertNotRepresentable(map(true, "a", 1, "b"), "value[a java.lang.Integer key]",
				"java.lang.Boolean key and a java.lang.Integer key");
		assertNotRepresentable(map(1.0, "a", BigInteger.ONE, "b"), "value[a java.math.BigInteger key]",
				"that are equal in Python");
		assertNotRepresentable(map(new BigDecimal("1.50"), "a", 1.5, "b"), "value[a java.lang.Double key]",
				"that are equal in Python");
		assertNotRepresentable(map(0.0, "a", -0.0, "b"), "value[a java.lang.Double key]", "that are equal in Python");
		assertNotRepresentable(map(OffsetDateTime.of(2024, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(1)), "a",
				OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), "b"), "value[a java.time.OffsetDateTime key]",
				"that are equal in Python");
		assertNotRepresentable(new LinkedHashSet<>(List.of(1, 1L)), "value[a java.lang.Long member]",
				"that are equal in Python");
		assertNotRepresentable(map(List.of(1, 2), "a", new Object[] { 1L, 2.0 }, "b"),
				"value[a java.lang.Object[] key]", "that are equal in Python");
		// Equal in Java, distinct in Python: kept apart.
		Object read = this.reader.read(this.writer.write(map(LocalDate.of(2024, 1, 1), "date",
				LocalDateTime.of(2024, 1, 1, 0, 0), "naive", Double.NaN, "nan", "1", "str", new byte[] { '1' }, "bytes")));
		assertThat((Map<?, ?>) read).hasSize(5);
	}

	@Test
	void cyclesAndDepthAreRefused() {
		List<Object> cycle = new ArrayList<>();
		cycle.add(cycle);
		assertNotRepresentable(cycle, "value[0]", "contains itself");
		Map<String, Object> selfMap = new LinkedHashMap<>();
		selfMap.put("me", List.of(selfMap));
		assertNotRepresentable(selfMap, "value['me'][0]", "contains itself");
		// A cyclic key is refused before anything hashes it (hashCode() would overflow the stack).
		List<Object> cyclicKey = new ArrayList<>();
		cyclicKey.add(cyclicKey);
		Map<Object, Object> byIdentity = new IdentityHashMap<>();
		byIdentity.put(cyclicKey, 1);
		assertNotRepresentable(byIdentity, "value[a java.util.ArrayList key][0]", "contains itself");
		// Shared but not cyclic: written twice, as Python would read two equal lists.
		List<Object> shared = List.of(1);
		assertThat(describe(this.reader.read(this.writer.write(List.of(shared, shared)))))
			.isEqualTo(describe(list(list(1), list(1))));

		Object nested = 1;
		for (int i = 0; i < 100; i++) {
			nested = List.of(nested);
		}
		assertThat(this.reader.read(this.writer.write(nested))).isInstanceOf(List.class);
		assertNotRepresentable(List.of(nested), "value" + "[0]".repeat(100), "nested deeper than 100");
	}

	@Test
	void nothingWrittenIsOverTheReadersLimits() {
		PickleLimits limits = new PickleLimits(200, 5, 50, 20);
		PickleWriter small = new PickleWriter(limits);
		PickleReader reader = new PickleReader(limits);
		int written = 0;
		int refused = 0;
		for (int size = 0; size < 60; size++) {
			List<Object> value = new ArrayList<>();
			for (int i = 0; i < size; i++) {
				value.add(List.of(i % 3 == 0 ? LocalDate.of(2024, 1, 1) : i));
			}
			byte[] pickle;
			try {
				pickle = small.write(value);
			}
			catch (PickleNotRepresentableException ex) {
				assertThat(ex).hasMessageContaining("PickleLimits");
				refused++;
				continue;
			}
			written++;
			assertThat(describe(reader.read(pickle))).as("size %d", size).isEqualTo(describe(this.reader.read(pickle)));
		}
		assertThat(written).isGreaterThan(3);
		assertThat(refused).isGreaterThan(3);
		assertThat(small.write(BigInteger.TEN.pow(19))).isNotEmpty();
		assertThatExceptionOfType(PickleNotRepresentableException.class)
			.isThrownBy(() -> small.write(BigInteger.TEN.pow(30)));
		assertThatExceptionOfType(PickleNotRepresentableException.class)
			.isThrownBy(() -> small.write("x".repeat(200)))
			.withMessageContaining("over 200 bytes");
		assertThat(reader.read(small.write("x".repeat(190)))).isEqualTo("x".repeat(190));
	}

	@Test
	void javaOnlyValuesTravelInAnEnvelopeNoDjangoValueIsTakenFor() {
		byte[] javaBytes = new DefaultValueSerializer().serialize(UUID.fromString("00000000-0000-0000-0000-000000000001"));
		byte[] envelope = PickledJavaValue.wrap(javaBytes);
		assertThat(PickledJavaValue.unwrap(envelope)).isEqualTo(javaBytes);
		assertThat(new DefaultValueSerializer().deserialize(PickledJavaValue.unwrap(envelope)))
			.isEqualTo(UUID.fromString("00000000-0000-0000-0000-000000000001"));
		// What Python (or this writer) pickles for the same bytes uses SHORT_BINBYTES/BINBYTES, never this shape.
		byte[] sameBytesPickled = this.writer.write(this.reader.read(envelope));
		assertThat(PickledJavaValue.unwrap(sameBytesPickled)).isNull();
		// Read as Python data, the envelope is plain bytes: harmless to Django.
		assertThat((byte[]) this.reader.read(envelope)).startsWith(PickledJavaValue.MAGIC).endsWith(javaBytes);
		// Tampered: a wrong length, a wrong magic, a missing STOP.
		byte[] wrongLength = envelope.clone();
		wrongLength[3]++;
		assertThat(PickledJavaValue.unwrap(wrongLength)).isNull();
		byte[] wrongMagic = envelope.clone();
		wrongMagic[12]++;
		assertThat(PickledJavaValue.unwrap(wrongMagic)).isNull();
		assertThat(PickledJavaValue.unwrap(Arrays.copyOf(envelope, envelope.length - 1))).isNull();
		assertThat(PickledJavaValue.unwrap(new byte[] { (byte) 0x80, 4, 'N', '.' })).isNull();
	}

	@Test
	void notRepresentableIsAValueNotStorableException() {
		assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> this.writer.write(new Object()));
	}

	private void assertNotRepresentable(Object value, String where, String message) {
		assertThatExceptionOfType(PickleNotRepresentableException.class).isThrownBy(() -> this.writer.write(value))
			.withMessageContaining("Cannot write " + where + " as a Python pickle")
			.withMessageContaining(message);
	}

	private static Map<String, Object> map2(String key, Object value) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put(key, value);
		return map;
	}

}
