package io.cacheframework.backend.redis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickleLimits;
import io.cacheframework.serializer.PickledJavaValue;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The bytes of Django's {@code RedisSerializer}, without a server: what each Java value is stored as, and what each
 * stored form reads back as. Pickle bytes here are CPython's own ({@code pickle.dumps(v, 5)}).
 */
class RedisWireFormatTests {

	private final RedisWireFormat java = format(ValueCodec.Format.JAVA);

	private final RedisWireFormat pickle = format(ValueCodec.Format.PICKLE);

	private static RedisWireFormat format(ValueCodec.Format format) {
		return new RedisWireFormat(new ValueCodec(new DefaultValueSerializer(), format, PickleLimits.defaults()));
	}

	@Test
	void integersAreDecimalTextLikeDjangosInts() {
		assertThat(this.java.encode(42)).asString(StandardCharsets.US_ASCII).isEqualTo("42");
		assertThat(this.java.encode(-7)).asString(StandardCharsets.US_ASCII).isEqualTo("-7");
		assertThat(this.pickle.encode(1L << 40)).asString(StandardCharsets.US_ASCII).isEqualTo("1099511627776");
		assertThat(this.java.decode(bytes("42"))).isEqualTo(42);
		assertThat(this.java.decode(bytes("1099511627776"))).isEqualTo(1L << 40);
		assertThat(this.java.decode(bytes("18446744073709551615"))).isEqualTo(new BigInteger("18446744073709551615"));
		// Python's int() skips whitespace, takes a sign and underscores between digits.
		assertThat(this.java.decode(bytes(" +4_2\n"))).isEqualTo(42);
	}

	@Test
	void aJavaLongHasAShapeCPythonNeverWritesAndDjangoReadsAsInt() {
		byte[] stored = this.java.encode(41L);
		assertThat(HexFormat.of().formatHex(stored)).isEqualTo("80048a08" + "2900000000000000" + "2e");
		assertThat(this.java.decode(stored)).isExactlyInstanceOf(Long.class).isEqualTo(41L);
		assertThat(this.java.decode(this.java.encode(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
		// CPython's pickle of 41 (BININT1, framed) and of 2**62 (LONG1 of 8 bytes, but framed) read as plain ints.
		assertThat(this.java.decode(HexFormat.of().parseHex("80054b292e"))).isExactlyInstanceOf(Integer.class);
		assertThat(this.java.decode(HexFormat.of().parseHex("8005950b000000000000008a0800000000000000402e")))
			.isEqualTo(1L << 62);
	}

	@Test
	void valuesPythonHasExactlyArePickledInEitherFormat() {
		for (RedisWireFormat format : List.of(this.java, this.pickle)) {
			for (Object value : new Object[] { "h\u00e9llo", new byte[] { 1, 2 }, true, 1.5d, null }) {
				byte[] stored = format.encode(value);
				assertThat(stored[0] & 0xFF).as("a pickle: PROTO").isEqualTo(0x80);
				Object read = format.decode(stored);
				if (value instanceof byte[] bytes) {
					assertThat((byte[]) read).containsExactly(bytes);
				}
				else {
					assertThat(read).isEqualTo(value);
				}
			}
		}
		// CPython's pickle.dumps('x', 5).
		assertThat(this.java.decode(HexFormat.of().parseHex("8005950500000000000000" + "8c0178942e"))).isEqualTo("x");
	}

	@Test
	void otherValuesAreJavaOnlyUnlessPickleCanHoldThem() {
		Map<String, Object> map = Map.of("a", 1);
		byte[] javaMap = this.java.encode(map);
		assertThat(PickledJavaValue.unwrap(javaMap)).isNotNull();
		assertThat(this.java.decode(javaMap)).isEqualTo(map);
		byte[] pickledMap = this.pickle.encode(map);
		assertThat(PickledJavaValue.unwrap(pickledMap)).isNull();
		assertThat(this.pickle.decode(pickledMap)).isEqualTo(map);
		UUID uuid = UUID.randomUUID();
		assertThat(PickledJavaValue.unwrap(this.pickle.encode(uuid))).isNotNull();
		assertThat(this.pickle.decode(this.pickle.encode(uuid))).isEqualTo(uuid);
	}

	@Test
	void whatCannotBeReadIsRefused() {
		// pickle.dumps of os.system('true') in protocol 0: a global, refused before anything is built.
		byte[] system = "cposix\nsystem\np0\n(Vtrue\np1\ntp2\nRp3\n.".getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(UnreadableValueException.class).isThrownBy(() -> this.java.decode(system))
			.withMessageContaining("posix.system");
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.java.decode(bytes("1".repeat(40))));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.java.decode(bytes("not a pickle")));
		assertThatExceptionOfType(UnreadableValueException.class)
			.isThrownBy(() -> this.java.decode(BoundedByteArrayCodec.TOO_LARGE))
			.withMessageContaining("larger than");
	}

	@Test
	void theCounterScriptsArgumentsAndReplies() {
		byte[][] arguments = IncrScript.arguments(-2);
		assertThat(arguments[0]).asString(StandardCharsets.US_ASCII).isEqualTo("-2");
		assertThat(HexFormat.of().formatHex(arguments[1])).isEqualTo("feffffffffffffff");
		assertThat(IncrScript.result(":1:k", bytes("43"))).isEqualTo(43);
		assertThat(IncrScript.result(":1:k", RedisWireFormat.javaLong(1L << 50))).isEqualTo(1L << 50);
		assertThatExceptionOfType(java.util.NoSuchElementException.class).isThrownBy(() -> IncrScript.result(":1:k", null))
			.withMessage("Key ':1:k' not found.");
		assertThat(IncrScript.refused(":1:k", "OVERFLOW increment or decrement would overflow"))
			.isInstanceOf(ArithmeticException.class);
		assertThat(IncrScript.refused(":1:k", "NOTINTEGER value is not an integer"))
			.isInstanceOf(IllegalStateException.class);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
