package io.cacheframework.serializer;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.cacheframework.serializer.PickleTestValues.describe;
import static io.cacheframework.serializer.PickleTestValues.list;
import static io.cacheframework.serializer.PickleTestValues.map;
import static io.cacheframework.serializer.PickleTestValues.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Hand-made pickles, hostile, corrupt and over the limits, that Python's own pickler never writes: each is refused
 * with a specific exception and message, without allocating or computing what the stream claims.
 */
class PickleReaderTests {

	private final PickleReader reader = new PickleReader();

	// ---------------------------------------------------------------- globals and object-building opcodes

	@Test
	void globalsOutsideTheAllowListAreRefusedByName() {
		assertRefusedGlobal(pickle("cos\nsystem\n(S'id'\ntR."), "os.system");
		assertRefusedGlobal(pickle("cbuiltins\neval\n."), "builtins.eval");
		assertRefusedGlobal(pickle("ccopyreg\n_reconstructor\n."), "copyreg._reconstructor");
		assertRefusedGlobal(pickle("csubprocess\nPopen\n."), "subprocess.Popen");
		assertCorrupt(pickle("c" + "m".repeat(2000) + "\nx\n."), "the GLOBAL argument is longer than 1024 characters");
		assertRefusedGlobal(pickle(0x80, 4, unicode("builtins"), unicode("__import__"), 0x93, "."), "builtins.__import__");
		// A dotted name in STACK_GLOBAL is a getattr chain in Python; here it is just a name that is not allowed.
		assertRefusedGlobal(pickle(0x80, 4, unicode("datetime"), unicode("date.fromisoformat"), 0x93, "."),
				"datetime.date.fromisoformat");
		assertRefusedGlobal(pickle(0x80, 4, unicode("datetime"), unicode("timezone.utc"), 0x93, "."),
				"datetime.timezone.utc");
		// Control characters in a name are escaped, so a log line stays one line.
		assertRefusedGlobal(pickle(0x80, 4, unicode("evil\r\u001b[2J"), unicode("x"), 0x93, "."),
				"evil\\u000d\\u001b[2J.x");
	}

	@Test
	void getattrIsOnlyAllowedToFetchZoneInfoUnpickle() {
		// getattr(datetime.date, 'today')() would run code in Python.
		byte[] pickle = pickle(0x80, 4, unicode("builtins"), unicode("getattr"), 0x93, unicode("datetime"),
				unicode("date"), 0x93, unicode("today"), 0x86, "R)R.");
		assertRefusedGlobal(pickle, "builtins.getattr");
		byte[] zoneInfoOther = pickle(0x80, 4, unicode("builtins"), unicode("getattr"), 0x93, unicode("zoneinfo"),
				unicode("ZoneInfo"), 0x93, unicode("clear_cache"), 0x86, "R)R.");
		assertRefusedGlobal(zoneInfoOther, "builtins.getattr");
	}

	@Test
	void opcodesThatBuildObjectsAreRefusedEvenOnAllowedClasses() {
		byte[] date = { 0x07, (byte) 0xe8, 2, 29 };
		// BUILD on an allowed value: in Python it would call __setstate__ or update __dict__.
		assertRefused(pickle(0x80, 4, unicode("datetime"), unicode("date"), 0x93, 'C', 4, date, 0x85, "R}b."),
				"BUILD");
		assertRefused(pickle("]}b."), "BUILD");
		assertRefused(pickle("(idatetime\ndate\n."), "INST instantiates datetime.date");
		assertRefusedGlobal(pickle("(ios\nsystem\n."), "os.system");
		assertRefused(pickle("(cdatetime\ndate\nC", 4, date, "o."), "OBJ");
		assertRefused(pickle(0x80, 2, "cdatetime\ndate\n)", 0x81, "."), "NEWOBJ");
		assertRefused(pickle(0x80, 4, "cdatetime\ndate\n)}", 0x92, "."), "NEWOBJ_EX");
		assertRefused(pickle(0x80, 2, 0x82, 1, "."), "extension code 1");
		assertRefused(pickle(0x80, 2, 0x83, 0x39, 0x30, "."), "extension code 12345");
		assertRefused(pickle(0x80, 2, 0x84, 0xff, 0xff, 0xff, 0x7f, "."), "extension code 2147483647");
		assertRefused(pickle("Pid\n."), "persistent id");
		assertRefused(pickle("NQ."), "persistent id");
		assertRefused(pickle(0x80, 5, 0x97, "."), "out-of-band");
		assertRefused(pickle(0x80, 5, "C", 1, "x", 0x98, "."), "out-of-band");
	}

	@Test
	void reduceOnlyCallsAllowedGlobalsWithTheArgumentsPythonWrites() {
		// REDUCE on data, on a tuple that is not the arguments, with a mutable list as arguments.
		assertCorrupt(pickle("K\001)R."), "REDUCE on a Integer");
		assertCorrupt(pickle("cdatetime\ndate\n]R."), "not a tuple");
		// timedelta of a float, Decimal of an int, _codecs.encode to another encoding.
		assertCorrupt(pickle("cdatetime\ntimedelta\n(F1.5\ntR."), "datetime.timedelta with a Double");
		assertCorrupt(pickle("cdecimal\nDecimal\n(K\001tR."), "decimal.Decimal with a Integer");
		assertCorrupt(pickle(0x80, 2, "c_codecs\nencode\nX", 1, 0, 0, 0, "aX", 5, 0, 0, 0, "utf-8", 0x86, "R."),
				"expected latin1");
		// bytearray(n) would allocate n bytes in Python.
		assertCorrupt(pickle("c__builtin__\nbytearray\n(J", 0xff, 0xff, 0xff, 0x7f, "tR."), "bytearray with a Integer");
		// A datetime state of the wrong length, a month 13, a year 0.
		assertCorrupt(pickle(0x80, 3, "cdatetime\ndate\nC", 3, 1, 2, 3, 0x85, "R."), "has 3 bytes, expected 4");
		assertCorrupt(pickle(0x80, 3, "cdatetime\ndate\nC", 4, 7, (byte) 0xe8, 13, 1, 0x85, "R."), "invalid datetime.date");
		assertCorrupt(pickle(0x80, 3, "cdatetime\ndate\nC", 4, 0, 0, 1, 1, 0x85, "R."), "year 0");
		// A Decimal Java has no equivalent for.
		assertCorrupt(pickle("cdecimal\nDecimal\n(VNaN\ntR."), "Decimal('NaN') has no BigDecimal equivalent");
		assertCorrupt(pickle("cdecimal\nDecimal\n(V-Infinity\ntR."), "no BigDecimal equivalent");
		// A class or a time zone on its own is not data.
		assertRefused(pickle("cdatetime\ndate\n."), "datetime.date object on its own");
		assertRefused(pickle(0x80, 2, "cpytz\n_UTC\n)R."), "pytz.utc object on its own");
	}

	// ---------------------------------------------------------------- lengths and numbers from the stream

	@Test
	void lengthsAreCheckedAgainstTheRemainingInputBeforeAllocating() {
		assertCorrupt(pickle("X", 0xff, 0xff, 0xff, 0xff, "abc"), "a length of 4294967295 bytes, but only 3 remain");
		assertCorrupt(pickle("B", 0xff, 0xff, 0xff, 0xff), "a length of 4294967295 bytes");
		assertCorrupt(pickle(0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, "x."), "a length of 9223372036854775807");
		// 2^64 - 1: an unsigned length beyond a signed long.
		assertCorrupt(pickle(0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, "x."), "a length of 18446744073709551615");
		assertCorrupt(pickle(0x96, 0, 0, 0, 0, 0, 0, 0, 0x40, "."), "a length of 4611686018427387904");
		assertCorrupt(pickle("T", 0xff, 0xff, 0xff, 0xff, "x."), "BINSTRING with a negative length");
		assertCorrupt(pickle("C", 200, "short."), "a length of 200 bytes, but only 6 remain");
		assertCorrupt(pickle(0x80, 4, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, "N."), "FRAME of 18446744073709551615");
		assertCorrupt(pickle(0x8b, 0xff, 0xff, 0xff, 0x7f, "."), "binary integer of 2147483647 bytes");
		assertCorrupt(pickle(0x8b, 0xff, 0xff, 0xff, 0xff, "."), "LONG4 with a negative length");
	}

	@Test
	void numericTextIsCappedBeforeItIsParsed() {
		String million = "9".repeat(1_000_000);
		assertCorrupt(pickle("L" + million + "L\n."), "the LONG argument is longer than 4303 characters");
		assertCorrupt(pickle("I" + million + "\n."), "the INT argument is longer than 4302 characters");
		assertCorrupt(pickle("F" + million + "\n."), "the FLOAT argument is longer than 4332 characters");
		assertCorrupt(pickle("cdecimal\nDecimal\n(V" + million + "\ntR."), "a Decimal of 1000000 characters");
		// Within the line cap, still over the digit limit: 4301 digits and a sign fit the line, not the limit.
		assertCorrupt(pickle("L-" + "9".repeat(4301) + "\n."), "an integer of 4301 digits, over the limit of 4300");
		assertThat(this.reader.read(pickle("L-" + "9".repeat(4300) + "L\n."))).hasToString("-" + "9".repeat(4300));
		// A huge exponent would make BigDecimal.longValue() or toPlainString() build a number that large.
		assertCorrupt(pickle("cdecimal\nDecimal\n(V1E+999999999\ntR."), "an exponent beyond 4300");
		assertCorrupt(pickle("cdecimal\nDecimal\n(V1E-4301\ntR."), "an exponent beyond 4300");
		assertThat(this.reader.read(pickle("cdecimal\nDecimal\n(V1E-4300\ntR."))).isEqualTo(new BigDecimal("1E-4300"));
		assertCorrupt(pickle("I0x10\n."), "malformed integer");
		assertCorrupt(pickle("F1e5d\n."), "malformed float");
		assertCorrupt(pickle("F0x1p3\n."), "malformed float");
		assertThat(this.reader.read(pickle("F-inf\n."))).isEqualTo(Double.NEGATIVE_INFINITY);
		assertThat(this.reader.read(pickle("I01\n."))).isEqualTo(Boolean.TRUE);
		assertThat(this.reader.read(pickle("I1\n."))).isEqualTo(1);
		// A timedelta beyond Python's range (Python raises OverflowError).
		assertCorrupt(pickle("cdatetime\ntimedelta\n(I1000000000\ntR."), "beyond Python's range");
		assertThat(this.reader.read(pickle("cdatetime\ntimedelta\n(I0\nI-1\ntR."))).isEqualTo(Duration.ofSeconds(-1));
	}

	// ---------------------------------------------------------------- structure: depth, size, memo, sharing

	@Test
	void nestingBeyondTheDepthLimitIsRefusedWithoutRecursingIntoIt() {
		int depth = 200_000;
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes("]".repeat(depth).getBytes(StandardCharsets.US_ASCII));
		out.writeBytes("a".repeat(depth - 1).getBytes(StandardCharsets.US_ASCII));
		out.write('.');
		assertCorrupt(out.toByteArray(), "nested deeper than 100");

		// A tuple nested 200 000 deep as a dict key: hashCode() would recurse 200 000 frames.
		ByteArrayOutputStream key = new ByteArrayOutputStream();
		key.writeBytes("}N".getBytes(StandardCharsets.US_ASCII));
		for (int i = 0; i < depth; i++) {
			key.write(0x85);
		}
		key.writeBytes("Ns.".getBytes(StandardCharsets.US_ASCII));
		assertCorrupt(key.toByteArray(), "a key nested deeper than 100");

		StringBuilder fine = new StringBuilder();
		fine.append("]".repeat(100)).append("a".repeat(99)).append('.');
		assertThat(this.reader.read(fine.toString().getBytes(StandardCharsets.US_ASCII))).isInstanceOf(List.class);
	}

	@Test
	void sharedReferencesCannotExpandASmallPickleIntoAHugeValue() {
		// Each level is a list holding the previous level twice: 60 levels would be 2^60 values to a caller
		// that walks, prints or serializes the result.
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(pickle(0x80, 4, "]", 0x94, "0"));
		for (int level = 1; level <= 60; level++) {
			out.writeBytes(pickle("(h", level - 1, "h", level - 1, "l", 0x94, "0"));
		}
		out.writeBytes(pickle("h", 60, "."));
		byte[] bomb = out.toByteArray();
		assertThat(bomb.length).isLessThan(1000);
		assertCorrupt(bomb, "more than 1000000 values once shared references are counted");

		// The same trick in a dict key: hashCode() of nested tuples.
		ByteArrayOutputStream keys = new ByteArrayOutputStream();
		keys.writeBytes(pickle(0x80, 4, "}N", 0x94, "0"));
		for (int level = 1; level <= 61; level++) {
			keys.writeBytes(pickle("h", level - 1, "h", level - 1, 0x86, 0x94, "0"));
		}
		keys.writeBytes(pickle("h", 61, "Ns."));
		assertCorrupt(keys.toByteArray(), "dict keys and set members holding more than 1000000 values");
	}

	@Test
	void theObjectBudgetCoversValuesMarksAndMemoEntries() {
		PickleReader small = new PickleReader(new PickleLimits(1024 * 1024, 100, 1000, 4300));
		assertCorrupt(small, pickle("(" .repeat(1001)), "more than 1000 values, marks and memo entries");
		assertCorrupt(small, pickle("N" + "p1\n".repeat(1001)), "more than 1000 values, marks and memo entries");
		assertCorrupt(small, pickle("N" + "2".repeat(1001)), "more than 1000 values, marks and memo entries");
		assertCorrupt(small, pickle("](N" + "2".repeat(998) + "e."), "more than 1000 values, marks and memo entries");
		assertThat((List<?>) small.read(pickle("](N" + "2".repeat(996) + "e."))).hasSize(997);
	}

	@Test
	void memoAbuseIsCorruptNotAnAllocation() {
		// LONG_BINPUT at index 2^32 - 1: a sparse memo, not an array of that size.
		assertThat(this.reader.read(pickle("K\007r", 0xff, 0xff, 0xff, 0xff, "0j", 0xff, 0xff, 0xff, 0xff, "."))).isEqualTo(7);
		assertCorrupt(pickle("h", 5, "."), "memo entry 5 was never stored");
		assertCorrupt(pickle("g99999999999999999999\n."), "malformed memo index");
		assertCorrupt(pickle("g-1\n."), "malformed memo index");
		assertCorrupt(pickle("p0\n."), "stack underflow");
	}

	@Test
	void hashFloodingKeysAreRefused() {
		// "Aa" and "BB" have the same hashCode, so every string made of n such pairs collides with the others:
		// mixed with Long keys of that hash code, HashMap's tree bins degrade to linear scans.
		List<String> colliding = List.of("AaAa", "AaBB", "BBAa", "BBBB");
		int hash = "AaAaAaAaAaAa".hashCode();
		StringBuilder out = new StringBuilder("}(");
		int keys = 0;
		for (String a : colliding) {
			for (String b : colliding) {
				for (String c : colliding) {
					out.append('V').append(a).append(b).append(c).append("\nN");
					keys++;
				}
			}
		}
		out.append("u.");
		assertThat(keys).isEqualTo(64);
		assertThat(this.reader.read(pickle(out.toString()))).asInstanceOf(
				org.assertj.core.api.InstanceOfAssertFactories.MAP).hasSize(64);
		// One more key of the same hash code (a Long equal to it as an int) crosses the limit.
		String flood = out.substring(0, out.length() - 2) + "I" + ((long) hash << 32 | 0) + "\nNu.";
		assertThat(Long.valueOf((long) hash << 32).hashCode()).isEqualTo(hash);
		assertCorrupt(pickle(flood), "more than 64 keys of one dict or set share a Java hash code");
	}

	@Test
	void unhashableKeysAreRefusedAsInPython() {
		assertCorrupt(pickle("}]Ns."), "unhashable type 'list'");
		assertCorrupt(pickle("}}Ns."), "unhashable type 'dict'");
		assertCorrupt(pickle(0x80, 4, 0x8f, "(]", 0x90, "."), "unhashable type 'list'");
		// A tuple holding a list is unhashable in Python too.
		assertCorrupt(pickle("}]", 0x85, "Ns."), "unhashable type 'list'");
		Object value = this.reader.read(pickle("}K\001K\002", 0x86, "Ns."));
		assertThat(describe(value)).isEqualTo(describe(map(tuple(1, 2), null)));
	}

	@Test
	void aMalformedStackIsCorrupt() {
		assertCorrupt(new byte[0], "truncated: no STOP");
		assertCorrupt(pickle("N"), "truncated: no STOP");
		assertCorrupt(pickle("."), "STOP with 0 values");
		assertCorrupt(pickle("0N."), "stack underflow");
		assertCorrupt(pickle("NN."), "STOP with 2 values");
		assertCorrupt(pickle("(N."), "STOP with 1 values and 1 marks");
		assertCorrupt(pickle("N.N"), "1 trailing bytes after STOP");
		assertCorrupt(pickle("e."), "no MARK");
		assertCorrupt(pickle("N(a."), "stack underflow");
		assertCorrupt(pickle("(NNNd."), "an odd number of items for a dict");
		assertCorrupt(pickle("NNNs."), "SETITEM to a None");
		assertCorrupt(pickle(")Na."), "APPEND to a tuple");
		assertCorrupt(pickle("K\001(K\002e."), "APPENDS to a Integer");
		assertCorrupt(pickle(0x80, 6, "N."), "unsupported pickle protocol 6");
		assertCorrupt(pickle(0xff), "unknown opcode 0xff");
		assertCorrupt(pickle("S'abc\n."), "must be quoted");
		assertCorrupt(pickle("X", 2, 0, 0, 0, 0xc3, 0x28, "."), "invalid UTF-8");
		assertCorrupt(pickle("U", 1, 0xe9, "."), "non-ASCII");
		assertCorrupt(pickle("Vtruncated\\u12\n."), "truncated \\u escape");
		assertCorrupt(pickle("I12"), "no end of line");
		assertCorrupt(new PickleReader(new PickleLimits(10, 100, 1000, 4300)), pickle("V0123456789\n."),
				"a pickle of 13 bytes, over the limit of 10");
	}

	@Test
	void pythonTwoAndEdgeEncodingsReadAsPythonThreeReadsThem() {
		// Python 2 str (STRING, BINSTRING, SHORT_BINSTRING) decodes as ASCII with escape sequences.
		assertThat(this.reader.read(pickle("S'a\\'b\\x41\\n\\101\\q'\n."))).isEqualTo("a'bA\nA\\q");
		assertThat(this.reader.read(pickle("U", 2, "hi."))).isEqualTo("hi");
		// Python 2's datetime state was a str: Python 3 reads it when it is ASCII, as here (1799-02-28), and
		// refuses it otherwise unless told encoding='latin1'; so does this reader.
		assertThat(this.reader.read(pickle("cdatetime\ndate\n(S'\\x07\\x07\\x02\\x1c'\ntR.")))
			.isEqualTo(LocalDate.of(1799, 2, 28));
		assertCorrupt(pickle("cdatetime\ndate\n(S'\\x07\\xe8\\x02\\x1d'\ntR."), "non-ASCII");
		// raw-unicode-escape: a backslash before anything but u/U is literal, \\u is an escaped backslash.
		assertThat(this.reader.read(pickle("Va\\\\u0041\\u00e9\\U0001F600\n."))).isEqualTo("a\\\\u0041\u00e9\uD83D\uDE00");
		// A lone surrogate pickled with surrogatepass.
		assertThat(this.reader.read(pickle("X", 3, 0, 0, 0, 0xed, 0xa0, 0x80, "."))).isEqualTo("\uD800");
		// POP removes a mark that is on top, as CPython's does.
		assertThat(this.reader.read(pickle("N(0."))).isNull();
		assertThat(describe(this.reader.read(pickle("(K\001K\002l(N1.")))).isEqualTo(describe(list(1, 2)));
		assertThat(this.reader.read(pickle(0x8a, 0, "."))).isEqualTo(0);
		assertThat(describe(this.reader.read(pickle("cbuiltins\nset\n)R.")))).isEqualTo("LinkedHashSet{}");
		assertThat(this.reader.read(pickle("cdecimal\nDecimal\n)R."))).isEqualTo(BigDecimal.ZERO);
	}

	@Test
	void refusedGlobalsAreRefusedBeforeTheirArgumentsAreRead() {
		// The global is refused where it is named: what follows (here, garbage) is never looked at.
		Throwable thrown = catchThrowable(() -> this.reader.read(pickle("cposix\nsystem\n", 0xff, 0xfe)));
		assertThat(thrown).isInstanceOf(PickleGlobalRefusedException.class);
		assertThat(thrown).hasMessageContaining("posix.system");
	}

	// ---------------------------------------------------------------- helpers

	private void assertRefusedGlobal(byte[] pickle, String global) {
		assertThatExceptionOfType(PickleGlobalRefusedException.class).isThrownBy(() -> this.reader.read(pickle))
			.satisfies((ex) -> assertThat(ex.global()).isEqualTo(global))
			.withMessageContaining(global);
	}

	private void assertRefused(byte[] pickle, String message) {
		assertThatExceptionOfType(PickleRefusedException.class).isThrownBy(() -> this.reader.read(pickle))
			.withMessageContaining(message);
	}

	private void assertCorrupt(byte[] pickle, String message) {
		assertCorrupt(this.reader, pickle, message);
	}

	private static void assertCorrupt(PickleReader reader, byte[] pickle, String message) {
		Throwable thrown = catchThrowable(() -> reader.read(pickle));
		assertThat(thrown).isExactlyInstanceOf(UnreadableValueException.class).hasMessageContaining(message);
	}

	/** SHORT_BINUNICODE of a string. */
	private static byte[] unicode(String text) {
		byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(0x8c);
		out.write(utf8.length);
		out.writeBytes(utf8);
		return out.toByteArray();
	}

	/** Concatenates opcodes: an Integer is one byte, a String its Latin-1 bytes, a byte[] itself. */
	static byte[] pickle(Object... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (Object part : parts) {
			if (part instanceof Integer b) {
				out.write(b);
			}
			else if (part instanceof Byte b) {
				out.write(b);
			}
			else if (part instanceof Character c) {
				out.write(c);
			}
			else if (part instanceof String text) {
				out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
			}
			else {
				out.writeBytes((byte[]) part);
			}
		}
		return out.toByteArray();
	}

}
