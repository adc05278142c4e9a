package io.cacheframework.serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.cacheframework.serializer.PickleTestValues.describe;
import static io.cacheframework.serializer.PickleTestValues.frozenset;
import static io.cacheframework.serializer.PickleTestValues.list;
import static io.cacheframework.serializer.PickleTestValues.map;
import static io.cacheframework.serializer.PickleTestValues.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Pickles made by Debian's CPython 3.11 (protocols 0-5, pymemcache's serializer that Django's
 * {@code PyMemcacheCache} uses, and {@code pickle.HIGHEST_PROTOCOL} as Django's {@code RedisSerializer} pickles) read
 * in Java as the expected values and types; pickles written in Java read in Python as the expected values and types;
 * hostile pickles made by Python are refused and run nothing.
 */
class PicklePythonTests {

	private static final HexFormat HEX = HexFormat.of();

	private final PickleReader reader = new PickleReader();

	private final PickleWriter writer = new PickleWriter();

	// ---------------------------------------------------------------- Python → Java

	@Test
	void pythonPicklesOfEveryProtocolReadAsTheExpectedJavaValues() throws Exception {
		Map<String, Object> expected = expectedFromPython();
		Map<String, Set<String>> protocolsSeen = new TreeMap<>();
		for (String line : Python.run("pickle_vectors.py", "")) {
			String[] parts = line.split(" ");
			String name = parts[0];
			String protocol = parts[1];
			byte[] pickle = HEX.parseHex(parts[2]);
			assertThat(expected).as("a vector the test knows").containsKey(name);
			Object value = this.reader.read(pickle);
			Object want = expected.get(name);
			if (name.equals("zoneinfo_fold") && protocol.compareTo("4") < 0) {
				// Python writes datetime's fold only from protocol 4 on: with 0-3 the second 02:30 becomes the first.
				want = OffsetDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneOffset.ofHours(2));
			}
			assertThat(describe(value)).as("%s with protocol %s", name, protocol).isEqualTo(describe(want));
			if (name.equals("shared")) {
				List<?> list = (List<?>) value;
				assertThat(list.get(0)).as("a list Python shared is one Java list").isSameAs(list.get(1));
			}
			if (name.equals("magic_bytes")) {
				assertThat(PickledJavaValue.unwrap(pickle)).as("a Django bytes value is never taken for Java's").isNull();
			}
			protocolsSeen.computeIfAbsent(name, (n) -> new TreeSet<>()).add(protocol);
		}
		assertThat(protocolsSeen.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
		for (Map.Entry<String, Set<String>> seen : protocolsSeen.entrySet()) {
			assertThat(seen.getValue()).as(seen.getKey()).contains("0", "1", "2", "3", "4", "5");
			if (!Set.of("int", "str", "bytes", "empty_bytes", "long_bytes", "long_str", "magic_bytes")
				.contains(seen.getKey())) {
				// pymemcache pickles everything but str, int and bytes (those have their own flags).
				assertThat(seen.getValue()).as(seen.getKey()).contains("memcached");
			}
			if (!seen.getKey().equals("int")) {
				assertThat(seen.getValue()).as(seen.getKey()).contains("redis");
			}
		}
	}

	private static Map<String, Object> expectedFromPython() {
		Map<String, Object> values = new LinkedHashMap<>();
		Map<String, Object> dict = new LinkedHashMap<>();
		dict.put("int", 7);
		dict.put("neg", -3);
		dict.put("int32max", Integer.MAX_VALUE);
		dict.put("int32over", 2147483648L);
		dict.put("int32min", Integer.MIN_VALUE);
		dict.put("int32under", -2147483649L);
		dict.put("int64max", Long.MAX_VALUE);
		dict.put("int64over", BigInteger.TWO.pow(63));
		dict.put("int64min", Long.MIN_VALUE);
		dict.put("big", BigInteger.TWO.pow(70));
		dict.put("bigneg", BigInteger.TWO.pow(100).negate());
		dict.put("float", 1.5);
		dict.put("tiny", Double.MIN_VALUE);
		dict.put("inf", Double.POSITIVE_INFINITY);
		dict.put("ninf", Double.NEGATIVE_INFINITY);
		dict.put("negzero", -0.0);
		dict.put("none", null);
		dict.put("t", true);
		dict.put("f", false);
		dict.put("str", "h\u00e9llo \u20ac\uD83D\uDE00");
		dict.put("escapes", "a\\u0041\\\n\r\u001a\u0000");
		dict.put("empty", "");
		values.put("dict", dict);
		values.put("tuple", tuple(1, "a", null));
		values.put("empty_tuple", tuple());
		values.put("set", new LinkedHashSet<>(List.of(1, 2, 3)));
		values.put("frozenset", frozenset("x"));
		values.put("empty_set", new LinkedHashSet<>());
		values.put("naive", LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678_901_000));
		values.put("utc", OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 6000, ZoneOffset.UTC));
		values.put("offset", OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 0, ZoneOffset.ofHoursMinutes(-5, -30)));
		values.put("named_offset", OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(1)));
		values.put("zoneinfo_summer", OffsetDateTime.of(2024, 7, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)));
		// 02:30 does not exist in Paris that night; fold=0 takes the offset before the transition, as Python does.
		values.put("zoneinfo_gap", OffsetDateTime.of(2024, 3, 31, 2, 30, 0, 0, ZoneOffset.ofHours(1)));
		values.put("zoneinfo_fold", OffsetDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneOffset.ofHours(1)));
		values.put("pytz_utc", OffsetDateTime.of(2020, 5, 6, 7, 8, 9, 0, ZoneOffset.UTC));
		values.put("pytz_dst", OffsetDateTime.of(2020, 5, 6, 7, 8, 9, 0, ZoneOffset.ofHours(2)));
		values.put("pytz_static", OffsetDateTime.of(2020, 5, 6, 7, 8, 9, 0, ZoneOffset.ofHours(-5)));
		values.put("pytz_fixed", OffsetDateTime.of(2020, 5, 6, 7, 8, 9, 0, ZoneOffset.ofHoursMinutes(5, 30)));
		values.put("date", LocalDate.of(2024, 2, 29));
		values.put("min_date", LocalDate.of(1, 1, 1));
		values.put("max_datetime", LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000));
		values.put("time", LocalTime.of(13, 14, 15, 16_000));
		values.put("time_utc", OffsetTime.of(1, 2, 3, 0, ZoneOffset.UTC));
		values.put("timedelta", Duration.ofDays(-1).plusSeconds(5).plusNanos(7000));
		values.put("timedelta_max", Duration.ofDays(999_999_999).plusSeconds(86_399).plusNanos(999_999_000));
		values.put("timedelta_min", Duration.ofDays(-999_999_999));
		values.put("decimal", new BigDecimal("-1.50"));
		values.put("decimal_exp", new BigDecimal("1E+3"));
		values.put("decimal_small", new BigDecimal("0.000000123"));
		values.put("nested", map("a", list(1, list(2, map("b", tuple(3, list(4))))), "c", map(), "d", list()));
		values.put("bytes", new byte[] { 0, (byte) 0xff, 'a', 'b', 'c' });
		values.put("empty_bytes", new byte[0]);
		byte[] longBytes = new byte[512];
		for (int i = 0; i < longBytes.length; i++) {
			longBytes[i] = (byte) i;
		}
		values.put("long_bytes", longBytes);
		values.put("bytearray", new byte[] { 'x', 'y' });
		values.put("long_str", "x".repeat(300));
		values.put("str", "hello");
		values.put("none", null);
		values.put("int", 42);
		Map<Object, Object> keys = new LinkedHashMap<>();
		keys.put(1, "int");
		keys.put(tuple(1, "two"), "tuple");
		keys.put(frozenset(3), "frozenset");
		keys.put(null, "none");
		keys.put(2.5, "float");
		keys.put(new byte[] { 'k' }, "bytes");
		keys.put(LocalDate.of(2024, 1, 1), "date");
		values.put("keys", keys);
		values.put("shared", list(list(1, 2), list(1, 2)));
		List<Object> dicts = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			dicts.add(map("id", i, "name", "n" + i));
		}
		values.put("list_of_dicts", dicts);
		List<Object> many = new ArrayList<>();
		for (int i = 0; i < 2500; i++) {
			many.add(i);
		}
		values.put("many", many);
		Map<Object, Object> bigdict = new LinkedHashMap<>();
		for (int i = 0; i < 1500; i++) {
			bigdict.put("k" + i, i);
		}
		values.put("bigdict", bigdict);
		byte[] magic = Arrays.copyOf(PickledJavaValue.MAGIC, PickledJavaValue.MAGIC.length + 4);
		System.arraycopy(new byte[] { 0x10, 'a', 'b', 'c' }, 0, magic, PickledJavaValue.MAGIC.length, 4);
		values.put("magic_bytes", magic);
		return values;
	}

	// ---------------------------------------------------------------- Java → Python

	@Test
	void javaPicklesReadInPythonAsTheExpectedValuesAndTypes() throws Exception {
		Map<String, Object> values = javaValues();
		StringBuilder input = new StringBuilder();
		for (Map.Entry<String, Object> entry : values.entrySet()) {
			byte[] pickle = this.writer.write(entry.getValue());
			input.append(entry.getKey()).append(' ').append(HEX.formatHex(pickle)).append('\n');
		}
		byte[] javaOnly = new DefaultValueSerializer().serialize(UUID.randomUUID());
		input.append("envelope ").append(HEX.formatHex(PickledJavaValue.wrap(javaOnly))).append('\n');

		List<String> output = Python.run("pickle_check.py", input.toString());

		List<String> expected = new ArrayList<>();
		values.keySet().forEach((name) -> expected.add("ok " + name));
		expected.add("ok envelope");
		assertThat(output).containsExactlyElementsOf(expected);
	}

	private static Map<String, Object> javaValues() {
		Map<String, Object> values = new LinkedHashMap<>();
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("int", 7);
		map.put("long", 5_000_000_000L);
		map.put("short", (short) 3);
		map.put("byte", (byte) -2);
		map.put("bigint", BigInteger.TWO.pow(100));
		map.put("neg_bigint", BigInteger.TWO.pow(70).negate());
		map.put("long_min", Long.MIN_VALUE);
		map.put("double", 1.5);
		map.put("float", 0.5f);
		map.put("nan", Double.NaN);
		map.put("negzero", -0.0);
		map.put("inf", Double.POSITIVE_INFINITY);
		map.put("true", true);
		map.put("false", false);
		map.put("null", null);
		map.put("string", "h\u00e9llo \u20ac\uD83D\uDE00");
		map.put("lone_surrogate", "\uD800x");
		map.put("empty", "");
		map.put("decimal", new BigDecimal("-1.50"));
		map.put("decimal_exp", new BigDecimal("1E+3"));
		map.put("decimal_small", new BigDecimal("0.000000123"));
		values.put("map", map);
		values.put("list", List.of(1, "two", 3.0));
		values.put("set", new LinkedHashSet<>(List.of(1, 2, 3)));
		values.put("array", new Object[] { 1, "a" });
		values.put("int_array", new int[] { 1, 2 });
		values.put("bytes", new byte[] { 0, (byte) 0xff, 'a' });
		byte[] longBytes = new byte[300];
		for (int i = 0; i < 256; i++) {
			longBytes[i] = (byte) i;
		}
		values.put("long_bytes", longBytes);
		values.put("long_string", "x".repeat(300));
		values.put("date", LocalDate.of(2024, 2, 29));
		values.put("time", LocalTime.of(13, 14, 15, 16_000));
		values.put("datetime", LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678_901_000));
		values.put("utc", OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 6000, ZoneOffset.UTC));
		values.put("offset", OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 0, ZoneOffset.ofHoursMinutes(-5, -30)));
		values.put("instant", Instant.parse("2024-05-06T07:08:09.123456Z"));
		values.put("zoned", ZonedDateTime.of(2024, 7, 1, 12, 0, 0, 0, ZoneId.of("Europe/Paris")));
		values.put("offset_time", OffsetTime.of(1, 2, 3, 0, ZoneOffset.ofHours(1)));
		values.put("duration", Duration.ofDays(-1).plusSeconds(5).plusNanos(7000));
		values.put("duration_max", Duration.ofDays(999_999_999).plusSeconds(86_399).plusNanos(999_999_000));
		values.put("duration_min", Duration.ofDays(-999_999_999));
		values.put("nested", map("a", List.of(1, List.of(2, map("b", List.of(3)))), "c", map(), "d", List.of()));
		Map<Object, Object> keys = new LinkedHashMap<>();
		keys.put(1, "int");
		keys.put(List.of(1, "two"), "tuple");
		keys.put(Set.of(3), "frozenset");
		keys.put(null, "none");
		keys.put(2.5, "float");
		keys.put(new byte[] { 'k' }, "bytes");
		keys.put(LocalDate.of(2024, 1, 1), "date");
		keys.put(new Object[] { List.of(1, 2), "x" }, "nested tuple");
		values.put("keys", keys);
		values.put("null", null);
		values.put("bool", true);
		List<Object> many = new ArrayList<>();
		for (int i = 0; i < 2500; i++) {
			many.add(i);
		}
		values.put("many", many);
		Map<Object, Object> bigmap = new LinkedHashMap<>();
		for (int i = 0; i < 1500; i++) {
			bigmap.put("k" + i, i);
		}
		values.put("bigmap", bigmap);
		// 300 offsets are 300 memoized time zones: the second round fetches them with LONG_BINGET (index > 255).
		List<Object> offsets = new ArrayList<>();
		for (int round = 0; round < 2; round++) {
			for (int minutes = -150; minutes < 150; minutes++) {
				offsets.add(OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofTotalSeconds(minutes * 60)));
			}
		}
		values.put("many_offsets", offsets);
		return values;
	}

	// ---------------------------------------------------------------- hostile pickles

	@Test
	void hostilePicklesMadeByPythonAreRefusedAndRunNothing(@TempDir Path directory) throws Exception {
		Path marker = directory.resolve("marker");
		Map<String, String> expected = new LinkedHashMap<>();
		for (int protocol = 0; protocol <= 5; protocol++) {
			expected.put("os_system_" + protocol, "global posix.system");
		}
		expected.put("eval", "global builtins.eval");
		expected.put("exec_p0", "global __builtin__.exec");
		expected.put("model_p0", "global copy_reg._reconstructor");
		expected.put("model_p2", "global myapp.models.Person");
		expected.put("model_p5", "global myapp.models.Person");
		expected.put("model_in_list", "global myapp.models.Person");
		expected.put("safestring", "global django.utils.safestring.SafeString");
		expected.put("ordered_dict", "global collections.OrderedDict");
		expected.put("ext1", "refused extension code 240");
		expected.put("ext2", "refused extension code 300");
		expected.put("ext4", "refused extension code 70000");
		expected.put("persid", "refused a persistent id");
		expected.put("binpersid", "refused a persistent id");
		expected.put("next_buffer", "refused out-of-band buffers");
		expected.put("recursive_list", "unreadable a value that contains itself");
		expected.put("recursive_tuple_p0", "unreadable a value that contains itself");
		expected.put("recursive_tuple_p4", "unreadable a value that contains itself");

		Map<String, String> actual = new LinkedHashMap<>();
		for (String line : Python.run("pickle_hostile.py", "", marker.toString())) {
			String[] parts = line.split(" ");
			Throwable thrown = catchThrowable(() -> this.reader.read(HEX.parseHex(parts[1])));
			actual.put(parts[0], outcome(thrown, expected.getOrDefault(parts[0], "")));
		}

		assertThat(actual).containsExactlyEntriesOf(expected);
		assertThat(marker).as("nothing ran the command").doesNotExist();
	}

	/** The same pickle is live: Python's own pickle.loads runs the command that Java refused. */
	@Test
	void theOsSystemVectorRunsInPythonSoItsRefusalMeansSomething(@TempDir Path directory) throws Exception {
		Path marker = directory.resolve("marker");
		String pickle = Python.run("pickle_hostile.py", "", marker.toString())
			.stream()
			.filter((line) -> line.startsWith("os_system_4 "))
			.map((line) -> line.split(" ")[1])
			.findFirst()
			.orElseThrow();
		Throwable thrown = catchThrowable(() -> this.reader.read(HEX.parseHex(pickle)));
		assertThat(thrown).isInstanceOf(PickleGlobalRefusedException.class);
		assertThat(marker).doesNotExist();

		Python.exec(List.of(Python.PYTHON, "-I", "-c", "import pickle, sys; pickle.loads(bytes.fromhex(sys.stdin.read()))"),
				pickle);
		assertThat(marker).as("Python's unpickler ran os.system").exists();
		Files.delete(marker);
	}

	private static String outcome(Throwable thrown, String expected) {
		if (thrown instanceof PickleGlobalRefusedException refused) {
			return "global " + refused.global();
		}
		String kind = (thrown instanceof PickleRefusedException) ? "refused "
				: (thrown instanceof UnreadableValueException) ? "unreadable " : "unexpected ";
		String message = (thrown != null) ? thrown.getMessage() : "no exception";
		// Report the expected text when the message contains it, the full message otherwise (so a diff shows it).
		String wanted = expected.replaceFirst("^(refused|unreadable) ", "");
		return kind + (message.contains(wanted) ? wanted : message);
	}

}
