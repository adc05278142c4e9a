package io.cacheframework.serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.cacheframework.serializer.PickleTime.Tz;
import org.jspecify.annotations.Nullable;

/**
 * A restricted unpickler for Python pickle protocols 0 to 5 that builds plain data only, so that a Java application
 * reads what Django's cache clients (pymemcache, redis-py through Django's {@code RedisSerializer}) pickle.
 *
 * <table>
 * <caption>What Python values become</caption>
 * <tr><th>Python</th><th>Java</th></tr>
 * <tr><td>{@code None}, {@code bool}, {@code str}, {@code float}</td><td>{@code null}, {@link Boolean},
 * {@link String}, {@link Double}</td></tr>
 * <tr><td>{@code int}</td><td>{@link Integer} when it fits, else {@link Long}, else {@link BigInteger}</td></tr>
 * <tr><td>{@code bytes}, {@code bytearray}</td><td>{@code byte[]}</td></tr>
 * <tr><td>{@code list}; {@code tuple}</td><td>{@link ArrayList}; an unmodifiable {@link List}</td></tr>
 * <tr><td>{@code dict}</td><td>{@link LinkedHashMap} (Python's order)</td></tr>
 * <tr><td>{@code set}; {@code frozenset}</td><td>{@link LinkedHashSet}; an unmodifiable {@link Set} (pickle
 * order)</td></tr>
 * <tr><td>{@code date}, naive {@code time}/{@code datetime}</td><td>{@link LocalDate}, {@link LocalTime},
 * {@link LocalDateTime}</td></tr>
 * <tr><td>aware {@code datetime}; aware {@code time}</td><td>{@link OffsetDateTime} (the offset Python's
 * {@code utcoffset()} gives, for {@code datetime.timezone}, {@code zoneinfo} and pytz zones); {@link OffsetTime}
 * (fixed offsets only)</td></tr>
 * <tr><td>{@code timedelta}, {@code Decimal}</td><td>{@link Duration}, {@link BigDecimal}</td></tr>
 * </table>
 *
 * <p>Every other Python global is refused with a {@link PickleGlobalRefusedException} naming it, at the moment the
 * pickle names it: no class is looked up, nothing is constructed, nothing runs. The opcodes that build arbitrary
 * objects ({@code BUILD}, {@code INST}, {@code OBJ}, {@code NEWOBJ}, {@code NEWOBJ_EX}), persistent ids, extension
 * codes and out-of-band buffers are refused with a {@link PickleRefusedException}. The allowed globals are not called
 * either: each is a Java function that checks its arguments and builds the Java value.
 *
 * <p>Nothing in the stream is trusted for size or CPU ({@link PickleLimits}): the input size is checked first, every
 * length is checked against the bytes that remain before anything is allocated, numeric text is capped before it is
 * parsed, the number of values, marks and memo entries is capped, dict keys and set members must be hashable (no
 * {@code hashCode()} recursion through mutable or deep values) and at most {@value #MAX_SAME_HASH} keys of one dict
 * or set may share a {@code hashCode()} (a flood of colliding keys of mixed types would make {@link HashMap} quadratic),
 * and the result is checked with a depth limit, counting shared references each time they appear (memo sharing
 * cannot make a small pickle expand into a huge graph for the caller to walk) and refusing cycles; these checks are
 * memoized per container, so they cost time in the pickle's size, not in what it expands to.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class PickleReader {

	/** The most keys of one dict or set that may share a {@code hashCode()}. */
	static final int MAX_SAME_HASH = 64;

	/** {values, nesting height} of a scalar. */
	private static final long[] SCALAR = { 1, 0 };

	/** The longest {@code GLOBAL}/{@code INST} module or name line. */
	private static final int MAX_NAME_LINE = 1024;

	static final Class<?> TUPLE_CLASS = Collections.unmodifiableList(Arrays.asList(new Object[0])).getClass();

	static final Class<?> FROZENSET_CLASS = Collections.unmodifiableSet(new LinkedHashSet<>()).getClass();

	private final PickleLimits limits;

	/**
	 * A reader with the {@link PickleLimits#defaults() default limits}.
	 */
	public PickleReader() {
		this(PickleLimits.defaults());
	}

	/**
	 * A reader with limits.
	 * @param limits what a pickle may cost
	 */
	public PickleReader(PickleLimits limits) {
		this.limits = Objects.requireNonNull(limits, "limits must not be null");
	}

	/**
	 * The limits.
	 * @return the limits
	 */
	public PickleLimits limits() {
		return this.limits;
	}

	/**
	 * Read a pickle.
	 * @param pickle the bytes, exactly one pickle (trailing bytes are refused)
	 * @return the value, possibly {@code null}
	 * @throws PickleGlobalRefusedException if the pickle names a global other than the plain-data types
	 * @throws PickleRefusedException if it uses an opcode that builds or fetches anything but plain data
	 * @throws UnreadableValueException if it is corrupt, truncated, over a limit, or a value with no Java
	 * equivalent (a {@code Decimal} NaN, a cycle, an offset beyond 18 hours)
	 */
	public @Nullable Object read(byte[] pickle) {
		Objects.requireNonNull(pickle, "pickle must not be null");
		if (pickle.length > this.limits.maxBytes()) {
			throw new UnreadableValueException(
					"a pickle of " + pickle.length + " bytes, over the limit of " + this.limits.maxBytes());
		}
		try {
			return new Parse(pickle, this.limits).run();
		}
		catch (StackOverflowError ex) {
			// Every recursion is depth-limited; this only keeps an Error from escaping if that ever fails.
			throw new UnreadableValueException("a pickle nested too deeply to read", ex);
		}
	}

	static boolean isTuple(@Nullable Object value) {
		return value != null && value.getClass() == TUPLE_CLASS;
	}

	static boolean isFrozenSet(@Nullable Object value) {
		return value != null && value.getClass() == FROZENSET_CLASS;
	}

	/**
	 * The Python globals a pickle of plain data names, each implemented in Java.
	 */
	private enum Global {

		SET("builtins.set"), FROZENSET("builtins.frozenset"), BYTEARRAY("builtins.bytearray"), BYTES("builtins.bytes"),
		GETATTR("builtins.getattr"), CODECS_ENCODE("_codecs.encode"), DATE("datetime.date"), TIME("datetime.time"),
		DATETIME("datetime.datetime"), TIMEDELTA("datetime.timedelta"), TIMEZONE("datetime.timezone"),
		DECIMAL("decimal.Decimal"), ZONEINFO("zoneinfo.ZoneInfo"), ZONEINFO_UNPICKLE("zoneinfo.ZoneInfo._unpickle"),
		PYTZ_UTC("pytz._UTC"), PYTZ_P("pytz._p"), PYTZ_FIXED_OFFSET("pytz.FixedOffset");

		private final String pythonName;

		Global(String pythonName) {
			this.pythonName = pythonName;
		}

		@Override
		public String toString() {
			return this.pythonName;
		}

		static Global resolve(String module, String name) {
			Global global = switch (module) {
				// Python 3 writes builtins as __builtin__ for protocols 0-2 (fix_imports).
				case "builtins", "__builtin__" -> switch (name) {
					case "set" -> SET;
					case "frozenset" -> FROZENSET;
					case "bytearray" -> BYTEARRAY;
					case "bytes" -> BYTES;
					case "getattr" -> GETATTR;
					default -> null;
				};
				case "_codecs" -> "encode".equals(name) ? CODECS_ENCODE : null;
				case "datetime" -> switch (name) {
					case "date" -> DATE;
					case "time" -> TIME;
					case "datetime" -> DATETIME;
					case "timedelta" -> TIMEDELTA;
					case "timezone" -> TIMEZONE;
					default -> null;
				};
				case "decimal" -> "Decimal".equals(name) ? DECIMAL : null;
				case "zoneinfo" -> "ZoneInfo".equals(name) ? ZONEINFO : null;
				case "pytz" -> switch (name) {
					case "_UTC" -> PYTZ_UTC;
					case "_p" -> PYTZ_P;
					case "FixedOffset" -> PYTZ_FIXED_OFFSET;
					default -> null;
				};
				default -> null;
			};
			if (global == null) {
				throw new PickleGlobalRefusedException(PickleTime.printable(module) + "." + PickleTime.printable(name),
						"only None, bool, int, float, str, bytes, bytearray, list, tuple, dict, set, frozenset, "
								+ "datetime's date/time/datetime/timedelta/timezone and Decimal are read");
			}
			return global;
		}

	}

	/**
	 * One read: the pickle machine's stack, marks and memo, and the budgets.
	 */
	private static final class Parse {

		private final byte[] in;

		private final PickleLimits limits;

		private int pos;

		private final ArrayList<@Nullable Object> stack = new ArrayList<>();

		private int[] marks = new int[8];

		private int markCount;

		private final Map<Long, @Nullable Object> memo = new HashMap<>();

		/** Values pushed, marks and memo entries so far. */
		private long created;

		/** What hashing dict keys and set members costs: their values, shared ones counted each time. */
		private long hashWork;

		/** Tuples and frozensets already weighed as keys: {values, nesting height}; they are immutable. */
		private final Map<Object, long[]> keyWeights = new IdentityHashMap<>();

		/** Containers already walked by validate(): {values, nesting height}. */
		private final Map<Object, long[]> walked = new IdentityHashMap<>();

		/** (container id, key hashCode) → how many keys of that container have that hash code. */
		private final Map<Long, Integer> sameHash = new HashMap<>();

		private final Map<Object, Integer> containerIds = new IdentityHashMap<>();

		private final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());

		private int lineStart;

		private int lineEnd;

		Parse(byte[] in, PickleLimits limits) {
			this.in = in;
			this.limits = limits;
		}

		@Nullable Object run() {
			while (true) {
				if (this.pos >= this.in.length) {
					throw corrupt("truncated: no STOP opcode");
				}
				int op = this.in[this.pos++] & 0xFF;
				switch (op) {
					case '(' -> mark();
					case '.' -> {
						return stop();
					}
					case '0' -> popOrMark();
					case '1' -> popMark();
					case '2' -> push(peek());
					case 'F' -> push(parseFloat(asciiLine(this.limits.maxDigits() + 32, "FLOAT")));
					case 'I' -> {
						String text = asciiLine(this.limits.maxDigits() + 2, "INT");
						push("00".equals(text) ? Boolean.FALSE : "01".equals(text) ? Boolean.TRUE : parseInteger(text));
					}
					case 'J' -> push(i32());
					case 'K' -> push(u8());
					case 'M' -> push(u8() | (u8() << 8));
					case 'L' -> {
						String text = asciiLine(this.limits.maxDigits() + 3, "LONG");
						push(parseInteger(text.endsWith("L") ? text.substring(0, text.length() - 1) : text));
					}
					case 'N' -> push(null);
					case 'P', 'Q' -> throw new PickleRefusedException(
							"a persistent id (PERSID/BINPERSID) refers to an object outside the pickle");
					case 'R' -> {
						Object args = pop();
						Object callable = pop();
						push(reduce(callable, args));
					}
					case 'S' -> push(pythonTwoString());
					case 'T' -> {
						int n = i32();
						if (n < 0) {
							throw corrupt("BINSTRING with a negative length");
						}
						int start = take(n);
						push(PickleText.decodeAscii(this.in, start, n));
					}
					case 'U' -> {
						int n = u8();
						int start = take(n);
						push(PickleText.decodeAscii(this.in, start, n));
					}
					case 'V' -> {
						line(this.in.length, "UNICODE");
						push(PickleText.decodeRawUnicodeEscape(this.in, this.lineStart, this.lineEnd - this.lineStart));
					}
					case 'X' -> push(utf8(u32()));
					case 0x8c -> push(utf8(u8()));
					case 0x8d -> push(utf8(u64()));
					case 'B' -> push(bytes(u32()));
					case 'C' -> push(bytes(u8()));
					case 0x8e, 0x96 -> push(bytes(u64()));
					case 'a' -> {
						Object value = pop();
						list(peek(), "APPEND").add(value);
					}
					case 'e' -> {
						List<@Nullable Object> items = popMark();
						list(peek(), "APPENDS").addAll(items);
					}
					case 'b' -> throw new PickleRefusedException("BUILD sets an object's state, which is not plain data");
					case 'c' -> {
						String module = nameLine("GLOBAL");
						String name = nameLine("GLOBAL");
						push(Global.resolve(module, name));
					}
					case 0x93 -> {
						Object name = pop();
						Object module = pop();
						if (!(module instanceof String m) || !(name instanceof String n)) {
							throw corrupt("STACK_GLOBAL on values that are not strings");
						}
						push(Global.resolve(m, n));
					}
					case 'i' -> {
						String module = nameLine("INST");
						String name = nameLine("INST");
						Global.resolve(module, name);
						throw new PickleRefusedException("INST instantiates " + PickleTime.printable(module) + "."
								+ PickleTime.printable(name) + ", which Python 3 never writes for plain data");
					}
					case 'o' -> throw new PickleRefusedException("OBJ instantiates a class, which is not plain data");
					case 0x81, 0x92 -> throw new PickleRefusedException(
							(op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX") + " calls a class's __new__, which is not plain data");
					case 0x82, 0x83, 0x84 -> {
						long code = (op == 0x82) ? u8() : (op == 0x83) ? (u8() | (u8() << 8)) : u32();
						throw new PickleRefusedException(
								"extension code " + code + " refers to a global registered with copyreg.add_extension");
					}
					case 0x97, 0x98 -> throw new PickleRefusedException(
							"out-of-band buffers (NEXT_BUFFER/READONLY_BUFFER) are not part of the pickle");
					case 'd' -> {
						List<@Nullable Object> items = popMark();
						push(dict(items, new LinkedHashMap<>()));
					}
					case '}' -> push(new LinkedHashMap<>());
					case 's' -> {
						Object value = pop();
						Object key = pop();
						putKey(dict(peek(), "SETITEM"), key, value);
					}
					case 'u' -> {
						List<@Nullable Object> items = popMark();
						dict(items, dict(peek(), "SETITEMS"));
					}
					case 'l' -> push(new ArrayList<>(popMark()));
					case ']' -> push(new ArrayList<>());
					case 't' -> push(tuple(popMark()));
					case ')' -> push(tuple(List.of()));
					case 0x85, 0x86, 0x87 -> {
						int n = op - 0x84;
						@Nullable Object[] items = new Object[n];
						for (int i = n - 1; i >= 0; i--) {
							items[i] = pop();
						}
						push(tuple(Arrays.asList(items)));
					}
					case 0x8f -> push(new LinkedHashSet<>());
					case 0x90 -> {
						List<@Nullable Object> items = popMark();
						Object target = peek();
						if (!(target instanceof LinkedHashSet<?>)) {
							throw corrupt("ADDITEMS to a " + pythonType(target));
						}
						@SuppressWarnings("unchecked")
						Set<@Nullable Object> set = (Set<@Nullable Object>) target;
						for (Object item : items) {
							addKey(set, item);
						}
					}
					case 0x91 -> push(frozenset(popMark()));
					case 'g' -> push(memoGet(index(asciiLine(20, "GET"))));
					case 'h' -> push(memoGet(u8()));
					case 'j' -> push(memoGet(u32()));
					case 'p' -> memoPut(index(asciiLine(20, "PUT")));
					case 'q' -> memoPut(u8());
					case 'r' -> memoPut(u32());
					case 0x94 -> memoPut(this.memo.size());
					case 'G' -> {
						long bits = 0;
						for (int i = 0; i < 8; i++) {
							bits = (bits << 8) | u8();
						}
						push(Double.longBitsToDouble(bits));
					}
					case 0x80 -> {
						int protocol = u8();
						if (protocol > 5) {
							throw corrupt("unsupported pickle protocol " + protocol);
						}
					}
					case 0x88 -> push(Boolean.TRUE);
					case 0x89 -> push(Boolean.FALSE);
					case 0x8a -> push(binaryInteger(u8()));
					case 0x8b -> {
						int n = i32();
						if (n < 0) {
							throw corrupt("LONG4 with a negative length");
						}
						push(binaryInteger(n));
					}
					case 0x95 -> {
						long frame = u64();
						if (Long.compareUnsigned(frame, this.in.length - this.pos) > 0) {
							throw corrupt("FRAME of " + Long.toUnsignedString(frame) + " bytes, but only "
									+ (this.in.length - this.pos) + " remain");
						}
					}
					default -> throw corrupt(String.format("unknown opcode 0x%02x", op));
				}
			}
		}

		// ------------------------------------------------------------------ the stack

		private void count() {
			if (++this.created > this.limits.maxObjects()) {
				throw new UnreadableValueException("a pickle creating more than " + this.limits.maxObjects()
						+ " values, marks and memo entries (PickleLimits.maxObjects)");
			}
		}

		private void push(@Nullable Object value) {
			count();
			this.stack.add(value);
		}

		private int fence() {
			return (this.markCount > 0) ? this.marks[this.markCount - 1] : 0;
		}

		private @Nullable Object pop() {
			if (this.stack.size() <= fence()) {
				throw corrupt("stack underflow");
			}
			return this.stack.remove(this.stack.size() - 1);
		}

		private @Nullable Object peek() {
			if (this.stack.size() <= fence()) {
				throw corrupt("stack underflow");
			}
			return this.stack.get(this.stack.size() - 1);
		}

		private void mark() {
			count();
			if (this.markCount == this.marks.length) {
				this.marks = Arrays.copyOf(this.marks, this.marks.length * 2);
			}
			this.marks[this.markCount++] = this.stack.size();
		}

		private List<@Nullable Object> popMark() {
			if (this.markCount == 0) {
				throw corrupt("no MARK on the stack");
			}
			int from = this.marks[--this.markCount];
			List<@Nullable Object> top = this.stack.subList(from, this.stack.size());
			List<@Nullable Object> items = new ArrayList<>(top);
			top.clear();
			return items;
		}

		/** POP as CPython does it: it removes a mark when the mark is on top. */
		private void popOrMark() {
			if (this.markCount > 0 && this.marks[this.markCount - 1] == this.stack.size()) {
				this.markCount--;
			}
			else {
				pop();
			}
		}

		private @Nullable Object stop() {
			if (this.markCount != 0 || this.stack.size() != 1) {
				throw corrupt("STOP with " + this.stack.size() + " values and " + this.markCount
						+ " marks on the stack, expected one value");
			}
			if (this.pos != this.in.length) {
				throw corrupt((this.in.length - this.pos) + " trailing bytes after STOP");
			}
			Object value = this.stack.get(0);
			validate(value, 1);
			return value;
		}

		// ------------------------------------------------------------------ the memo

		private long index(String text) {
			if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				throw corrupt("malformed memo index '" + PickleTime.printable(text) + "'");
			}
			return Long.parseLong(text);
		}

		private @Nullable Object memoGet(long index) {
			Object value = this.memo.get(index);
			if (value == null && !this.memo.containsKey(index)) {
				throw corrupt("memo entry " + index + " was never stored");
			}
			return value;
		}

		private void memoPut(long index) {
			count();
			this.memo.put(index, peek());
		}

		// ------------------------------------------------------------------ input

		private int u8() {
			if (this.pos >= this.in.length) {
				throw corrupt("truncated");
			}
			return this.in[this.pos++] & 0xFF;
		}

		private int i32() {
			return u8() | (u8() << 8) | (u8() << 16) | (u8() << 24);
		}

		private long u32() {
			return i32() & 0xFFFFFFFFL;
		}

		/** An unsigned 8-byte length; a value beyond Long.MAX_VALUE comes back negative and fails take(). */
		private long u64() {
			long value = 0;
			for (int i = 0; i < 8; i++) {
				value |= ((long) u8()) << (8 * i);
			}
			return value;
		}

		/** Claims the next {@code length} bytes, checked against what remains before anything is allocated. */
		private int take(long length) {
			if (length < 0 || length > this.in.length - this.pos) {
				throw corrupt("a length of " + Long.toUnsignedString(length) + " bytes, but only "
						+ (this.in.length - this.pos) + " remain");
			}
			int start = this.pos;
			this.pos += (int) length;
			return start;
		}

		private byte[] bytes(long length) {
			int start = take(length);
			return Arrays.copyOfRange(this.in, start, this.pos);
		}

		private String utf8(long length) {
			int start = take(length);
			return PickleText.decodeUtf8(this.in, start, (int) length);
		}

		/** Finds the end of a text argument, scanning at most {@code max} bytes. */
		private void line(int max, String opcode) {
			long limit = Math.min(this.in.length, (long) this.pos + max + 1);
			for (int i = this.pos; i < limit; i++) {
				if (this.in[i] == '\n') {
					this.lineStart = this.pos;
					this.lineEnd = i;
					this.pos = i + 1;
					return;
				}
			}
			if (limit == this.in.length) {
				throw corrupt("truncated: the " + opcode + " argument has no end of line");
			}
			boolean numeric = opcode.equals("INT") || opcode.equals("LONG") || opcode.equals("FLOAT");
			throw new UnreadableValueException("the " + opcode + " argument is longer than " + max + " characters"
					+ (numeric ? " (PickleLimits.maxDigits caps numeric text)" : ""));
		}

		private String asciiLine(int max, String opcode) {
			line(max, opcode);
			return new String(this.in, this.lineStart, this.lineEnd - this.lineStart, StandardCharsets.ISO_8859_1);
		}

		private String nameLine(String opcode) {
			line(MAX_NAME_LINE, opcode);
			return PickleText.decodeUtf8(this.in, this.lineStart, this.lineEnd - this.lineStart);
		}

		/** STRING: a quoted Python 2 {@code str} literal. */
		private String pythonTwoString() {
			line(this.in.length, "STRING");
			int length = this.lineEnd - this.lineStart;
			byte quote = (length >= 2) ? this.in[this.lineStart] : 0;
			if ((quote != '\'' && quote != '"') || this.in[this.lineEnd - 1] != quote) {
				throw corrupt("the STRING argument must be quoted");
			}
			return PickleText.decodeEscapedAscii(this.in, this.lineStart + 1, length - 2);
		}

		// ------------------------------------------------------------------ numbers

		private Object parseInteger(String text) {
			int start = (text.startsWith("-") || text.startsWith("+")) ? 1 : 0;
			int digits = text.length() - start;
			if (digits == 0) {
				throw corrupt("an empty integer");
			}
			for (int i = start; i < text.length(); i++) {
				char c = text.charAt(i);
				if (c < '0' || c > '9') {
					throw corrupt("malformed integer '" + PickleTime.printable(text) + "'");
				}
			}
			if (digits > this.limits.maxDigits()) {
				throw new UnreadableValueException("an integer of " + digits + " digits, over the limit of "
						+ this.limits.maxDigits() + " (PickleLimits.maxDigits)");
			}
			if (digits <= 18) {
				return integer(Long.parseLong(text));
			}
			return integer(new BigInteger(text));
		}

		private Object binaryInteger(int length) {
			if (length > this.limits.maxIntegerBytes()) {
				throw new UnreadableValueException("a binary integer of " + length + " bytes, over the limit of "
						+ this.limits.maxIntegerBytes() + " (PickleLimits.maxDigits)");
			}
			int start = take(length);
			if (length == 0) {
				return 0;
			}
			// Two's complement, little-endian: reverse it for BigInteger's big-endian constructor.
			byte[] bigEndian = new byte[length];
			for (int i = 0; i < length; i++) {
				bigEndian[i] = this.in[start + length - 1 - i];
			}
			return integer(new BigInteger(bigEndian));
		}

		static Object integer(long value) {
			// Not a conditional expression: with Integer and Long operands it would box both as Long.
			if (value == (int) value) {
				return Integer.valueOf((int) value);
			}
			return Long.valueOf(value);
		}

		static Object integer(BigInteger value) {
			if (value.bitLength() < 64) {
				return integer(value.longValue());
			}
			return value;
		}

		private double parseFloat(String text) {
			switch (text.toLowerCase(Locale.ROOT)) {
				case "inf", "+inf", "infinity", "+infinity" -> {
					return Double.POSITIVE_INFINITY;
				}
				case "-inf", "-infinity" -> {
					return Double.NEGATIVE_INFINITY;
				}
				case "nan", "+nan", "-nan" -> {
					return Double.NaN;
				}
				default -> {
					if (!isDecimalNumber(text)) {
						throw corrupt("malformed float '" + PickleTime.printable(text) + "'");
					}
					return Double.parseDouble(text);
				}
			}
		}

		/** {@code [+-](digits[.digits]|.digits)([eE][+-]digits)}: the syntax Python's repr of floats and Decimal use. */
		private static boolean isDecimalNumber(String text) {
			int i = 0;
			int n = text.length();
			if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
				i++;
			}
			int digits = 0;
			while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
				i++;
				digits++;
			}
			if (i < n && text.charAt(i) == '.') {
				i++;
				while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
					i++;
					digits++;
				}
			}
			if (digits == 0) {
				return false;
			}
			if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
				i++;
				if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
					i++;
				}
				int exponent = 0;
				while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
					i++;
					exponent++;
				}
				if (exponent == 0) {
					return false;
				}
			}
			return i == n;
		}

		private BigDecimal decimal(String text) {
			int max = this.limits.maxDigits();
			if (text.length() > 2 * max + 32) {
				throw new UnreadableValueException("a Decimal of " + text.length() + " characters, over the limit of "
						+ (2 * max + 32) + " (PickleLimits.maxDigits)");
			}
			if (!isDecimalNumber(text)) {
				String lower = text.toLowerCase(Locale.ROOT);
				if (lower.contains("nan") || lower.contains("inf")) {
					throw new UnreadableValueException(
							"Decimal('" + PickleTime.printable(text) + "') has no BigDecimal equivalent");
				}
				throw corrupt("malformed Decimal '" + PickleTime.printable(text) + "'");
			}
			BigDecimal value;
			try {
				value = new BigDecimal(text);
			}
			catch (NumberFormatException ex) {
				throw corrupt("a Decimal out of BigDecimal's range: '" + PickleTime.printable(text) + "'");
			}
			// A huge exponent would make a caller's longValue() or toPlainString() build a number that size.
			if (value.precision() > max || Math.abs((long) value.scale()) > max) {
				throw new UnreadableValueException("Decimal('" + PickleTime.printable(text)
						+ "') has more than " + max + " digits or an exponent beyond " + max + " (PickleLimits.maxDigits)");
			}
			return value;
		}

		// ------------------------------------------------------------------ containers

		private static List<@Nullable Object> tuple(List<@Nullable Object> items) {
			return Collections.unmodifiableList(Arrays.asList(items.toArray()));
		}

		private Set<@Nullable Object> frozenset(Collection<@Nullable Object> items) {
			Set<@Nullable Object> set = new LinkedHashSet<>();
			for (Object item : items) {
				addKey(set, item);
			}
			return Collections.unmodifiableSet(set);
		}

		@SuppressWarnings("unchecked")
		private List<@Nullable Object> list(@Nullable Object target, String opcode) {
			if (!(target instanceof ArrayList<?>)) {
				throw corrupt(opcode + " to a " + pythonType(target));
			}
			return (List<@Nullable Object>) target;
		}

		@SuppressWarnings("unchecked")
		private Map<@Nullable Object, @Nullable Object> dict(@Nullable Object target, String opcode) {
			if (!(target instanceof LinkedHashMap<?, ?>)) {
				throw corrupt(opcode + " to a " + pythonType(target));
			}
			return (Map<@Nullable Object, @Nullable Object>) target;
		}

		private Map<@Nullable Object, @Nullable Object> dict(List<@Nullable Object> items,
				Map<@Nullable Object, @Nullable Object> target) {
			if (items.size() % 2 != 0) {
				throw corrupt("an odd number of items for a dict");
			}
			for (int i = 0; i < items.size(); i += 2) {
				putKey(target, items.get(i), items.get(i + 1));
			}
			return target;
		}

		private void putKey(Map<@Nullable Object, @Nullable Object> dict, @Nullable Object key, @Nullable Object value) {
			checkKey(dict, key);
			dict.put(key, value);
		}

		private void addKey(Set<@Nullable Object> set, @Nullable Object key) {
			checkKey(set, key);
			set.add(key);
		}

		/**
		 * A key must be hashable as in Python (so {@code hashCode()} never walks a mutable or cyclic value), its
		 * hashing work is budgeted, and a container may hold only {@value #MAX_SAME_HASH} keys of one hash code.
		 */
		private void checkKey(Object container, @Nullable Object key) {
			this.hashWork += weigh(key, 1)[0];
			if (this.hashWork > this.limits.maxObjects()) {
				throw new UnreadableValueException("dict keys and set members holding more than "
						+ this.limits.maxObjects() + " values (PickleLimits.maxObjects)");
			}
			int id = this.containerIds.computeIfAbsent(container, (c) -> this.containerIds.size());
			long slot = ((long) id << 32) | (Objects.hashCode(key) & 0xFFFFFFFFL);
			if (this.sameHash.merge(slot, 1, Integer::sum) > MAX_SAME_HASH) {
				throw new UnreadableValueException("more than " + MAX_SAME_HASH
						+ " keys of one dict or set share a Java hash code (a hash-flooding pickle)");
			}
		}

		/**
		 * What hashing a key costs, {values, nesting height}: a tuple's or frozenset's {@code hashCode()} visits every
		 * value below it, a shared one each time. Memoized per tuple, so a key that shares its parts is weighed in
		 * time proportional to its distinct parts, not to what its hash code would cost.
		 */
		private long[] weigh(@Nullable Object key, int depth) {
			if (isScalar(key)) {
				return SCALAR;
			}
			if (!isTuple(key) && !isFrozenSet(key)) {
				throw corrupt("unhashable type '" + pythonType(key) + "' as a dict key or set member");
			}
			if (depth > this.limits.maxDepth()) {
				throw new UnreadableValueException(
						"a key nested deeper than " + this.limits.maxDepth() + " (PickleLimits.maxDepth)");
			}
			long[] known = this.keyWeights.get(key);
			if (known == null) {
				long weight = 1;
				long height = 0;
				for (Object item : (Collection<?>) key) {
					long[] part = weigh(item, depth + 1);
					weight = Math.min(weight + part[0], Long.MAX_VALUE / 2);
					height = Math.max(height, part[1]);
				}
				known = new long[] { weight, height + 1 };
				this.keyWeights.put(key, known);
			}
			if (depth + known[1] - 1 > this.limits.maxDepth()) {
				throw new UnreadableValueException(
						"a key nested deeper than " + this.limits.maxDepth() + " (PickleLimits.maxDepth)");
			}
			return known;
		}

		// ------------------------------------------------------------------ REDUCE

		private Object reduce(@Nullable Object callable, @Nullable Object argsObject) {
			if (!(callable instanceof Global global)) {
				throw corrupt("REDUCE on a " + pythonType(callable) + ", which is not an allowed callable");
			}
			if (!isTuple(argsObject)) {
				throw corrupt("REDUCE arguments for " + global + " are a " + pythonType(argsObject) + ", not a tuple");
			}
			List<?> args = (List<?>) argsObject;
			return switch (global) {
				case SET -> {
					Set<@Nullable Object> set = new LinkedHashSet<>();
					for (Object item : iterable(global, args)) {
						addKey(set, item);
					}
					yield set;
				}
				case FROZENSET -> frozenset(iterable(global, args));
				case BYTEARRAY, BYTES -> {
					arity(global, args, 0, 1);
					yield args.isEmpty() ? new byte[0] : arg(global, args, 0, byte[].class).clone();
				}
				case CODECS_ENCODE -> {
					arity(global, args, 2, 2);
					String encoding = arg(global, args, 1, String.class);
					if (!"latin1".equals(encoding) && !"latin-1".equals(encoding)) {
						throw corrupt("_codecs.encode to '" + PickleTime.printable(encoding) + "', expected latin1");
					}
					yield latin1(arg(global, args, 0, String.class));
				}
				case DATE -> {
					arity(global, args, 1, 1);
					yield PickleTime.date(state(global, args.get(0)));
				}
				case TIME -> {
					arity(global, args, 1, 2);
					yield PickleTime.time(state(global, args.get(0)), tzinfo(global, args));
				}
				case DATETIME -> {
					arity(global, args, 1, 2);
					yield PickleTime.datetime(state(global, args.get(0)), tzinfo(global, args));
				}
				case TIMEDELTA -> {
					arity(global, args, 0, 3);
					long[] parts = new long[3];
					for (int i = 0; i < args.size(); i++) {
						parts[i] = longArg(global, args.get(i));
					}
					yield PickleTime.timedelta(parts[0], parts[1], parts[2]);
				}
				case TIMEZONE -> {
					arity(global, args, 1, 2);
					if (args.size() == 2) {
						arg(global, args, 1, String.class);
					}
					yield PickleTime.timezone(arg(global, args, 0, Duration.class));
				}
				case DECIMAL -> {
					arity(global, args, 0, 1);
					yield args.isEmpty() ? BigDecimal.ZERO : decimal(arg(global, args, 0, String.class));
				}
				case GETATTR -> {
					if (args.size() != 2 || args.get(0) != Global.ZONEINFO || !"_unpickle".equals(args.get(1))) {
						throw new PickleGlobalRefusedException("builtins.getattr",
								"only getattr(zoneinfo.ZoneInfo, '_unpickle') is allowed");
					}
					yield Global.ZONEINFO_UNPICKLE;
				}
				case ZONEINFO_UNPICKLE -> {
					arity(global, args, 2, 2);
					longArg(global, args.get(1));
					yield PickleTime.region(arg(global, args, 0, String.class));
				}
				case ZONEINFO -> {
					arity(global, args, 1, 1);
					yield PickleTime.region(arg(global, args, 0, String.class));
				}
				case PYTZ_UTC -> {
					arity(global, args, 0, 0);
					yield Tz.fixed(ZoneOffset.UTC, "pytz.utc");
				}
				case PYTZ_P -> {
					arity(global, args, 1, 4);
					String zone = arg(global, args, 0, String.class);
					yield (args.size() == 1) ? PickleTime.staticRegion(zone)
							: PickleTime.fixedSeconds(longArg(global, args.get(1)),
									"pytz '" + PickleTime.printable(zone) + "'");
				}
				case PYTZ_FIXED_OFFSET -> {
					arity(global, args, 1, 1);
					long minutes = longArg(global, args.get(0));
					if (Math.abs(minutes) >= 1440) {
						throw corrupt("pytz.FixedOffset(" + minutes + ") is beyond a day");
					}
					yield PickleTime.fixedSeconds(minutes * 60, "pytz.FixedOffset(" + minutes + ")");
				}
			};
		}

		private List<@Nullable Object> iterable(Global global, List<?> args) {
			arity(global, args, 0, 1);
			if (args.isEmpty()) {
				return List.of();
			}
			Object source = args.get(0);
			if (source instanceof ArrayList<?> || isTuple(source) || source instanceof LinkedHashSet<?>
					|| isFrozenSet(source)) {
				return new ArrayList<>((Collection<?>) source);
			}
			throw corrupt(global + " of a " + pythonType(source));
		}

		private @Nullable Tz tzinfo(Global global, List<?> args) {
			if (args.size() < 2 || args.get(1) == null) {
				return null;
			}
			if (args.get(1) instanceof Tz tz) {
				return tz;
			}
			throw corrupt(global + " with a tzinfo that is a " + pythonType(args.get(1)));
		}

		private byte[] state(Global global, @Nullable Object value) {
			if (value instanceof byte[] bytes) {
				return bytes;
			}
			if (value instanceof String text) {
				// Python 2 wrote the state as str; Python 3's datetime accepts it as Latin-1.
				return latin1(text);
			}
			throw corrupt(global + " from a " + pythonType(value) + ", expected its pickled state");
		}

		private byte[] latin1(String text) {
			byte[] bytes = new byte[text.length()];
			for (int i = 0; i < bytes.length; i++) {
				char c = text.charAt(i);
				if (c > 0xFF) {
					throw corrupt("a latin1 encoding of a character beyond U+00FF");
				}
				bytes[i] = (byte) c;
			}
			return bytes;
		}

		private void arity(Global global, List<?> args, int min, int max) {
			if (args.size() < min || args.size() > max) {
				throw corrupt(global + " with " + args.size() + " arguments");
			}
		}

		private <T> T arg(Global global, List<?> args, int index, Class<T> type) {
			Object value = args.get(index);
			if (!type.isInstance(value)) {
				throw corrupt(global + " with a " + pythonType(value) + " as argument " + (index + 1));
			}
			return type.cast(value);
		}

		private long longArg(Global global, @Nullable Object value) {
			if (value instanceof Integer || value instanceof Long) {
				return ((Number) value).longValue();
			}
			throw corrupt(global + " with a " + pythonType(value) + " where an int in the 64-bit range is expected");
		}

		// ------------------------------------------------------------------ the result

		private static boolean isScalar(@Nullable Object value) {
			return value == null || value instanceof String || value instanceof Integer || value instanceof Long
					|| value instanceof Double || value instanceof Boolean || value instanceof byte[]
					|| value instanceof BigInteger || value instanceof BigDecimal || value instanceof LocalDate
					|| value instanceof LocalTime || value instanceof LocalDateTime || value instanceof OffsetDateTime
					|| value instanceof OffsetTime || value instanceof Duration;
		}

		/**
		 * Checks the result as a caller will walk it: no cycles, no nesting beyond the limit, no more values than the
		 * limit when every shared reference is counted each time it appears, and nothing that is not data (a class or
		 * a time zone on its own). Returns {values, nesting height}, memoized per container, so this costs time in
		 * the distinct containers, not in what sharing expands to.
		 */
		private long[] validate(@Nullable Object value, int depth) {
			if (isScalar(value)) {
				return SCALAR;
			}
			if (value instanceof Global || value instanceof Tz) {
				throw new PickleRefusedException("a Python " + value + " object on its own is not data");
			}
			if (depth > this.limits.maxDepth()) {
				throw new UnreadableValueException(
						"a value nested deeper than " + this.limits.maxDepth() + " (PickleLimits.maxDepth)");
			}
			long[] known = this.walked.get(value);
			if (known == null) {
				if (!this.onPath.add(value)) {
					throw new UnreadableValueException(
							"a value that contains itself (a cycle), which Java callers cannot walk");
				}
				long[] total = { 1, 0 };
				if (value instanceof Map<?, ?> map) {
					for (Map.Entry<?, ?> entry : map.entrySet()) {
						add(total, validate(entry.getKey(), depth + 1));
						add(total, validate(entry.getValue(), depth + 1));
					}
				}
				else {
					for (Object item : (Collection<?>) value) {
						add(total, validate(item, depth + 1));
					}
				}
				this.onPath.remove(value);
				known = new long[] { total[0], total[1] + 1 };
				this.walked.put(value, known);
			}
			if (depth + known[1] - 1 > this.limits.maxDepth()) {
				throw new UnreadableValueException(
						"a value nested deeper than " + this.limits.maxDepth() + " (PickleLimits.maxDepth)");
			}
			return known;
		}

		private void add(long[] total, long[] part) {
			total[0] += part[0];
			total[1] = Math.max(total[1], part[1]);
			if (total[0] > this.limits.maxObjects()) {
				throw new UnreadableValueException("a value holding more than " + this.limits.maxObjects()
						+ " values once shared references are counted each time (PickleLimits.maxObjects)");
			}
		}

		private static String pythonType(@Nullable Object value) {
			if (value == null) {
				return "None";
			}
			if (isTuple(value)) {
				return "tuple";
			}
			if (isFrozenSet(value)) {
				return "frozenset";
			}
			if (value instanceof ArrayList<?>) {
				return "list";
			}
			if (value instanceof Map<?, ?>) {
				return "dict";
			}
			if (value instanceof Set<?>) {
				return "set";
			}
			if (value instanceof Global || value instanceof Tz) {
				return value.toString();
			}
			return value.getClass().getSimpleName();
		}

		private UnreadableValueException corrupt(String message) {
			return new UnreadableValueException("corrupt pickle at byte " + this.pos + ": " + message);
		}

	}

}
