package io.cacheframework.serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.example.canary.Canary;
import io.cacheframework.core.ValueNotStorableException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The safe default serializer: native encodings, the allow-list filter and its limits, and hostile bytes.
 */
class DefaultValueSerializerTests {

	private final DefaultValueSerializer serializer = new DefaultValueSerializer();

	@BeforeEach
	void resetCanary() {
		Canary.deserialized = false;
	}

	// ---------------------------------------------------------------- round trips

	@Test
	void nativeTypesRoundTripWithTheirTypes() {
		List<Object> values = List.of("", "guyan", "Iñtërnâtiônàlizætiøn 清", 0, Integer.MIN_VALUE, Integer.MAX_VALUE,
				-7L, Long.MAX_VALUE, true, false, 1.5d, Double.NaN, -0.0d);
		for (Object value : values) {
			assertThat(this.serializer.deserialize(this.serializer.serialize(value))).as("%s", value)
				.isExactlyInstanceOf(value.getClass())
				.isEqualTo(value);
		}
		assertThat(this.serializer.deserialize(this.serializer.serialize(null))).isNull();
		byte[] bytes = { 0, 1, (byte) 0xff };
		assertThat((byte[]) this.serializer.deserialize(this.serializer.serialize(bytes))).containsExactly(0, 1, 0xff);
		assertThat((byte[]) this.serializer.deserialize(this.serializer.serialize(new byte[0]))).isEmpty();
	}

	@Test
	void nativeTypesAreTaggedAndNeverJavaSerialized() {
		assertThat(this.serializer.serialize(null)).containsExactly(DefaultValueSerializer.NULL);
		assertThat(this.serializer.serialize("ab")).containsExactly(DefaultValueSerializer.STRING, 'a', 'b');
		assertThat(this.serializer.serialize(258)).containsExactly(DefaultValueSerializer.INTEGER, 0, 0, 1, 2);
		assertThat(this.serializer.serialize(1L)).hasSize(9).startsWith(DefaultValueSerializer.LONG);
		assertThat(this.serializer.serialize(true)).containsExactly(DefaultValueSerializer.BOOLEAN, 1);
		assertThat(this.serializer.serialize(2.0d)).hasSize(9).startsWith(DefaultValueSerializer.DOUBLE);
		assertThat(this.serializer.serialize(new byte[] { 7 })).containsExactly(DefaultValueSerializer.BYTES, 7);
		assertThat(this.serializer.serialize(new ArrayList<>())).startsWith(DefaultValueSerializer.JAVA);
	}

	@Test
	void jdkValueTypesAndLibraryTypesRoundTrip() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("list", new ArrayList<>(List.of(1, "two", 3L)));
		map.put("immutable", List.of(1, 2));
		map.put("set", new HashSet<>(Set.of("a")));
		map.put("date", LocalDate.of(2026, 11, 22));
		map.put("decimal", new BigDecimal("1.50"));
		map.put("record", new Point(1, 2));
		Object read = this.serializer.deserialize(this.serializer.serialize(map));
		assertThat(read).isExactlyInstanceOf(LinkedHashMap.class).isEqualTo(map);
	}

	// ---------------------------------------------------------------- the allow-list

	@Test
	void classOutsideTheAllowListIsRefusedOnReadWithoutRunningItsCode() throws IOException {
		byte[] hostile = javaTagged(new Canary("tweety"));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(hostile))
			.withMessageContaining("refused by the serialization filter");
		assertThat(Canary.deserialized).isFalse();
	}

	@Test
	void classOutsideTheAllowListInsideACollectionIsRefused() throws IOException {
		byte[] hostile = javaTagged(new ArrayList<>(List.of("harmless", new Canary("tweety"))));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(hostile));
		assertThat(Canary.deserialized).isFalse();
	}

	@Test
	void serializingAClassOutsideTheAllowListFailsNamingTheProperty() {
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.serializer.serialize(new Canary("tweety")))
			.withMessageContaining(Canary.class.getName())
			.withMessageContaining("app.cache-serialization.allowed-classes")
			.withMessageContaining("com.example.canary.**");
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.serializer.serialize(new HashMap<>(Map.of("k", new Canary("nested")))))
			.withMessageContaining(Canary.class.getName());
	}

	@Test
	void allowedPackageRoundTrips() {
		DefaultValueSerializer allowing = new DefaultValueSerializer(
				SerializationPolicy.defaults().allow(List.of("com.example.**")));
		Object read = allowing.deserialize(allowing.serialize(new Canary("tweety")));
		assertThat(read).isInstanceOf(Canary.class);
		assertThat(((Canary) read).name).isEqualTo("tweety");
		assertThat(Canary.deserialized).isTrue();
	}

	@Test
	void allowedClassPatternsAreValidated() {
		SerializationPolicy defaults = SerializationPolicy.defaults();
		for (String bad : List.of("*", "**", "!com.example.*", "a;b", "maxdepth=1000", " ")) {
			assertThatIllegalArgumentException().as(bad).isThrownBy(() -> defaults.allow(List.of(bad)));
		}
		assertThat(defaults.allow(List.of("com.example.Person")).allowedClasses()).contains("com.example.Person")
			.containsAll(SerializationPolicy.JDK_VALUE_TYPES);
	}

	@Test
	void notSerializableValueFailsNamingItsClass() {
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.serializer.serialize(new ArrayList<>(List.of(new NotSerializable()))))
			.withMessageContaining(NotSerializable.class.getName())
			.withMessageContaining("not Serializable")
			.withMessageNotContaining(NotSerializableException.class.getName());
	}

	// ---------------------------------------------------------------- limits

	@Test
	@Timeout(60) // A hang guard only: without the depth limit this would run for ages.
	void hashSetBombIsRejected() throws Exception {
		// The classic SerialDOS graph: 100 levels of two HashSets, 2^100 hashCode calls to rebuild.
		Set<Object> root = new HashSet<>();
		Set<Object> s1 = root;
		Set<Object> s2 = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			Set<Object> t1 = new HashSet<>();
			Set<Object> t2 = new HashSet<>();
			t1.add("foo");
			s1.add(t1);
			s1.add(t2);
			s2.add(t1);
			s2.add(t2);
			s1 = t1;
			s2 = t2;
		}
		byte[] bomb = javaTagged(root);
		assertThatExceptionOfType(UnreadableValueException.class).isThrownBy(() -> this.serializer.deserialize(bomb));
	}

	@Test
	void deeplyNestedListIsRejectedWithoutStackOverflow() throws Exception {
		byte[] bomb = onLargeStack(() -> {
			List<Object> list = new ArrayList<>();
			for (int i = 0; i < 10_000; i++) {
				List<Object> outer = new ArrayList<>();
				outer.add(list);
				list = outer;
			}
			return javaTagged(list);
		});
		Throwable thrown = catchThrowable(() -> this.serializer.deserialize(bomb));
		assertThat(thrown).isInstanceOf(UnreadableValueException.class);
	}

	@Test
	void deeplyNestedHashSetIsRejectedWithoutStackOverflow() throws Exception {
		byte[] bomb = onLargeStack(() -> {
			// Built top-down: each set is added while still empty, so building costs no deep hashCode() calls.
			Set<Object> root = new HashSet<>();
			Set<Object> current = root;
			for (int i = 0; i < 10_000; i++) {
				Set<Object> child = new HashSet<>();
				current.add(child);
				current = child;
			}
			return javaTagged(root);
		});
		Throwable thrown = catchThrowable(() -> this.serializer.deserialize(bomb));
		assertThat(thrown).isInstanceOf(UnreadableValueException.class);
	}

	@Test
	void deeplyNestedValueFailsToSerializeWithoutStackOverflow() throws Exception {
		List<Object> list = new ArrayList<>();
		for (int i = 0; i < 100_000; i++) {
			List<Object> outer = new ArrayList<>(1);
			outer.add(list);
			list = outer;
		}
		List<Object> deep = list;
		Throwable thrown = catchThrowable(() -> this.serializer.serialize(deep));
		assertThat(thrown).isInstanceOf(ValueNotStorableException.class);
	}

	@Test
	void valueOverTheReadLimitsFailsOnWriteInsteadOfBecomingAPermanentMiss() {
		// With the default limits: a list of 100 001 Integers has more references than may be read back.
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.serializer.serialize(integers(100_001)))
			.withMessageContaining("app.cache-serialization.max-references");
		assertThatExceptionOfType(ValueNotStorableException.class)
			.isThrownBy(() -> this.serializer.serialize(nestedMaps(25)))
			.withMessageContaining("app.cache-serialization.max-depth");
		assertThat(this.serializer.deserialize(this.serializer.serialize(nestedMaps(15)))).isEqualTo(nestedMaps(15));

		DefaultValueSerializer small = new DefaultValueSerializer(
				SerializationPolicy.defaults().withLimits(10, 1_000, 2_000, 1024 * 1024));
		assertThat(small.deserialize(small.serialize(integers(900)))).isEqualTo(integers(900));
		assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> small.serialize(integers(1_000)));
		assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> small.serialize(nestedMaps(12)));
		assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> small.serialize(new long[2_001]));
		assertThat((long[]) small.deserialize(small.serialize(new long[2_000]))).hasSize(2_000);

		DefaultValueSerializer deep = new DefaultValueSerializer(
				SerializationPolicy.defaults().withLimits(100, 100_000, 100, 1024 * 1024));
		assertThat(deep.deserialize(deep.serialize(nestedMaps(25)))).isEqualTo(nestedMaps(25));
	}

	private static List<Integer> integers(int count) {
		List<Integer> list = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			list.add(1_000 + i);
		}
		return list;
	}

	private static Object nestedMaps(int depth) {
		Object value = "leaf";
		for (int i = 0; i < depth; i++) {
			value = new HashMap<>(Map.of("k", value));
		}
		return value;
	}

	@Test
	void hugeArrayHeaderIsRejectedBeforeAllocating() throws IOException {
		byte[] small = javaTagged(new long[3]);
		// The array length is the int just before the 3 * 8 bytes of data.
		byte[] huge = small.clone();
		writeInt(huge, huge.length - 24 - 4, Integer.MAX_VALUE);
		assertThatExceptionOfType(UnreadableValueException.class).isThrownBy(() -> this.serializer.deserialize(huge));

		byte[] objects = javaTagged(new Object[0]);
		writeInt(objects, objects.length - 4, 2_000_000_000);
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(objects));
	}

	// ---------------------------------------------------------------- corrupt bytes

	@Test
	void everyTruncationIsUnreadable() {
		Map<String, Object> map = new HashMap<>(Map.of("name", "guyan", "n", 1, "list", new ArrayList<>(List.of(1))));
		byte[] data = this.serializer.serialize(map);
		for (int length = 0; length < data.length; length++) {
			byte[] truncated = Arrays.copyOf(data, length);
			assertThatExceptionOfType(UnreadableValueException.class).as("length %d", length)
				.isThrownBy(() -> this.serializer.deserialize(truncated));
		}
	}

	@Test
	void flippedBytesAreUnreadableOrHarmless() {
		Map<String, Object> map = new HashMap<>(Map.of("name", "guyan", "n", 1, "list", new ArrayList<>(List.of(1))));
		byte[] data = this.serializer.serialize(map);
		int unreadable = 0;
		for (int i = 0; i < data.length; i++) {
			byte[] flipped = data.clone();
			flipped[i] ^= (byte) 0xff;
			try {
				this.serializer.deserialize(flipped);
			}
			catch (UnreadableValueException ex) {
				unreadable++;
			}
		}
		// Anything else escaping (ClassCastException, OutOfMemoryError, ...) fails the test above; most flips are
		// detected.
		assertThat(unreadable).isGreaterThan(data.length / 2);
	}

	@Test
	void corruptNativeValuesAreUnreadable() {
		for (byte[] corrupt : List.of(new byte[0], new byte[] { DefaultValueSerializer.INTEGER, 1, 2 },
				new byte[] { DefaultValueSerializer.LONG, 1 }, new byte[] { DefaultValueSerializer.BOOLEAN },
				new byte[] { DefaultValueSerializer.DOUBLE, 1, 2, 3 }, new byte[] { DefaultValueSerializer.NULL, 0 },
				new byte[] { 99, 1 }, new byte[] { DefaultValueSerializer.JAVA })) {
			assertThatExceptionOfType(UnreadableValueException.class).as(Arrays.toString(corrupt))
				.isThrownBy(() -> this.serializer.deserialize(corrupt));
		}
	}

	@Test
	void trailingBytesAfterAJavaValueAreUnreadable() {
		byte[] data = this.serializer.serialize(new ArrayList<>(List.of(1)));
		byte[] longer = Arrays.copyOf(data, data.length + 1);
		assertThatExceptionOfType(UnreadableValueException.class).isThrownBy(() -> this.serializer.deserialize(longer));
	}

	// ---------------------------------------------------------------- zlib

	@Test
	void zlibRoundTrip() {
		byte[] data = "guyan".repeat(1000).getBytes(StandardCharsets.UTF_8);
		byte[] compressed = Zlib.compress(data);
		assertThat(compressed.length).isLessThan(data.length);
		assertThat(Zlib.decompress(compressed, data.length)).isEqualTo(data);
		assertThat(Zlib.decompress(Zlib.compress(new byte[0]), 0)).isEmpty();
	}

	@Test
	void zlibBombIsRefused() {
		byte[] bomb = Zlib.compress(new byte[10 * 1024 * 1024]);
		assertThat(bomb.length).isLessThan(64 * 1024);
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> Zlib.decompress(bomb, 1024 * 1024))
			.withMessageContaining("1048576");
	}

	@Test
	void corruptZlibIsUnreadable() {
		byte[] compressed = Zlib.compress("guyan".repeat(100).getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> Zlib.decompress(Arrays.copyOf(compressed, compressed.length / 2), 10_000));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> Zlib.decompress(Arrays.copyOf(compressed, compressed.length + 3), 10_000));
		byte[] flipped = compressed.clone();
		flipped[0] ^= (byte) 0xff;
		assertThatExceptionOfType(UnreadableValueException.class).isThrownBy(() -> Zlib.decompress(flipped, 10_000));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> Zlib.decompress(new byte[0], 10_000));
	}

	// ---------------------------------------------------------------- helpers

	/**
	 * Raw Java serialization behind the JAVA tag, as an attacker with write access to a shared store would write it.
	 */
	private static byte[] javaTagged(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write(DefaultValueSerializer.JAVA);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	private static void writeInt(byte[] data, int offset, int value) {
		data[offset] = (byte) (value >>> 24);
		data[offset + 1] = (byte) (value >>> 16);
		data[offset + 2] = (byte) (value >>> 8);
		data[offset + 3] = (byte) value;
	}

	/**
	 * Building and writing a 10 000-deep graph recurses deeper than a default thread stack allows.
	 */
	private static byte[] onLargeStack(ThrowingSupplier<byte[]> work) throws Exception {
		AtomicReference<Object> result = new AtomicReference<>();
		Thread thread = new Thread(null, () -> {
			try {
				result.set(work.get());
			}
			catch (Throwable ex) {
				result.set(ex);
			}
		}, "large-stack", 512L * 1024 * 1024);
		thread.start();
		thread.join();
		if (result.get() instanceof Throwable ex) {
			throw new IllegalStateException("Could not build the test value", ex);
		}
		return (byte[]) result.get();
	}

	@FunctionalInterface
	private interface ThrowingSupplier<T> {

		T get() throws Exception;

	}

	record Point(int x, int y) implements Serializable {
	}

	static final class NotSerializable {

	}

}
