package io.cacheframework.serializer;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Writes Java values as a pickle (protocol {@value #PROTOCOL}) that Python's {@code pickle.loads}, and so Django's
 * {@code PyMemcacheCache} and {@code RedisCache}, read as plain Python data.
 *
 * <table>
 * <caption>What Java values become</caption>
 * <tr><th>Java</th><th>Python</th></tr>
 * <tr><td>{@code null}, {@link Boolean}, {@link String}, {@code byte[]}</td><td>{@code None}, {@code bool},
 * {@code str}, {@code bytes}</td></tr>
 * <tr><td>{@link Byte}, {@link Short}, {@link Integer}, {@link Long}, {@link BigInteger}</td><td>{@code int}</td></tr>
 * <tr><td>{@link Float}, {@link Double}; {@link BigDecimal}</td><td>{@code float}; {@code Decimal}</td></tr>
 * <tr><td>{@link Map}; {@link List}, object and primitive arrays (not {@code byte[]}); {@link Set}</td>
 * <td>{@code dict}; {@code list}; {@code set} (a {@code List} or array used as a key or set member becomes a
 * {@code tuple}, a {@code Set} a {@code frozenset})</td></tr>
 * <tr><td>{@link LocalDate}, {@link LocalTime}, {@link LocalDateTime}</td><td>{@code date}, naive {@code time},
 * naive {@code datetime}</td></tr>
 * <tr><td>{@link OffsetDateTime}, {@link ZonedDateTime}, {@link Instant}; {@link OffsetTime}</td><td>a
 * {@code datetime} with {@code datetime.timezone(offset)} ({@code timezone.utc} for offset 0, UTC for an
 * {@code Instant}; a {@code ZonedDateTime} keeps its offset, not its zone rules); a {@code time} with one</td></tr>
 * <tr><td>{@link Duration}</td><td>{@code timedelta}</td></tr>
 * </table>
 *
 * <p>Anything else, and anything Python would not read back as the same data, fails with a
 * {@link PickleNotRepresentableException} naming where in the value it is: other types, nanoseconds (Python has
 * microseconds), years outside 1-9999, durations beyond {@code timedelta}'s range, a {@code Map} as a key, two keys
 * Python considers equal (1, 1L, 1.0 and {@code true}; offsets of the same instant), cycles, and values the
 * {@link PickleReader} with the same {@link PickleLimits} would refuse (size, depth, object count, digits).
 *
 * <p>Protocol 4 is Python's default since 3.8 and readable by every Python 3.4+. Django's clients write
 * {@code pickle.HIGHEST_PROTOCOL} (5 on Python 3.8+), which differs from 4 only by opcodes for out-of-band buffers
 * and {@code bytearray}, neither of which this writer needs; writing 4 also lets Django 3.2 on Python 3.6-3.7 read
 * the values. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class PickleWriter {

	/**
	 * The pickle protocol written.
	 */
	public static final int PROTOCOL = 4;

	private final PickleLimits limits;

	/**
	 * A writer with the {@link PickleLimits#defaults() default limits}.
	 */
	public PickleWriter() {
		this(PickleLimits.defaults());
	}

	/**
	 * A writer whose output a {@link PickleReader} with the same limits reads.
	 * @param limits the reader's limits
	 */
	public PickleWriter(PickleLimits limits) {
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
	 * Write a value.
	 * @param value the value, possibly {@code null}
	 * @return the pickle
	 * @throws PickleNotRepresentableException if Python would not read the value back as the same data
	 */
	public byte[] write(@Nullable Object value) {
		Emitter emitter = new Emitter(this.limits);
		emitter.op(0x80);
		emitter.u8(PROTOCOL);
		emitter.value(value, 1);
		emitter.op('.');
		return emitter.result();
	}

	/**
	 * One write: the output, the memo of globals and time zones, and the reader's budgets mirrored.
	 */
	private static final class Emitter {

		private static final Object NONE_KEY = new Object();

		private static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");

		private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999Z");

		private final PickleLimits limits;

		private byte[] out = new byte[64];

		private int size;

		/** What the reader will count: values pushed, marks and memo entries. */
		private long created;

		private final Map<String, Integer> memo = new HashMap<>();

		private final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());

		private final Deque<String> path = new ArrayDeque<>();

		Emitter(PickleLimits limits) {
			this.limits = limits;
		}

		byte[] result() {
			return Arrays.copyOf(this.out, this.size);
		}

		// ------------------------------------------------------------------ values

		void value(@Nullable Object value, int depth) {
			if (value == null) {
				push('N');
			}
			else if (value instanceof Boolean bool) {
				push(bool ? 0x88 : 0x89);
			}
			else if (value instanceof Integer || value instanceof Long || value instanceof Short
					|| value instanceof Byte) {
				integer(((Number) value).longValue());
			}
			else if (value instanceof BigInteger number) {
				integer(number);
			}
			else if (value instanceof Double || value instanceof Float) {
				push('G');
				long bits = Double.doubleToRawLongBits(((Number) value).doubleValue());
				for (int i = 7; i >= 0; i--) {
					u8((int) (bits >>> (8 * i)));
				}
			}
			else if (value instanceof String text) {
				string(text);
			}
			else if (value instanceof byte[] bytes) {
				bytes(bytes);
			}
			else if (value instanceof BigDecimal number) {
				decimal(number);
			}
			else if (value instanceof LocalDate date) {
				date(date);
			}
			else if (value instanceof LocalTime time) {
				time(time, null);
			}
			else if (value instanceof OffsetTime time) {
				time(time.toLocalTime(), time.getOffset());
			}
			else if (value instanceof LocalDateTime dateTime) {
				dateTime(dateTime, null);
			}
			else if (value instanceof OffsetDateTime dateTime) {
				dateTime(dateTime.toLocalDateTime(), dateTime.getOffset());
			}
			else if (value instanceof ZonedDateTime dateTime) {
				dateTime(dateTime.toLocalDateTime(), dateTime.getOffset());
			}
			else if (value instanceof Instant instant) {
				if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
					throw notRepresentable("the instant " + instant + ", outside Python's years 1-9999");
				}
				dateTime(LocalDateTime.ofInstant(instant, ZoneOffset.UTC), ZoneOffset.UTC);
			}
			else if (value instanceof Duration duration) {
				timedelta(duration);
			}
			else if (value instanceof Map<?, ?> map) {
				enter(value, depth);
				push('}');
				if (!map.isEmpty()) {
					mark();
					Map<Object, Object> seen = new HashMap<>();
					for (Map.Entry<?, ?> entry : map.entrySet()) {
						Object key = entry.getKey();
						this.path.addLast((key instanceof String text) ? "['" + PickleTime.printable(text) + "']"
								: "[a " + typeName(key) + " key]");
						key(key, depth + 1);
						unique(seen, key);
						value(entry.getValue(), depth + 1);
						this.path.removeLast();
					}
					op('u');
				}
				leave(value);
			}
			else if (value instanceof Set<?> set) {
				enter(value, depth);
				push(0x8f);
				if (!set.isEmpty()) {
					mark();
					Map<Object, Object> seen = new HashMap<>();
					for (Object item : set) {
						this.path.addLast("[a " + typeName(item) + " member]");
						key(item, depth + 1);
						unique(seen, item);
						this.path.removeLast();
					}
					op(0x90);
				}
				leave(value);
			}
			else if (value instanceof Collection<?> || (value.getClass().isArray())) {
				if (!(value instanceof List<?>) && !value.getClass().isArray()) {
					throw notRepresentable("a " + typeName(value)
							+ " is neither a List nor a Set, so it has no unambiguous Python equivalent");
				}
				enter(value, depth);
				List<?> items = items(value);
				push(']');
				if (!items.isEmpty()) {
					mark();
					for (int i = 0; i < items.size(); i++) {
						this.path.addLast("[" + i + "]");
						value(items.get(i), depth + 1);
						this.path.removeLast();
					}
					op('e');
				}
				leave(value);
			}
			else {
				throw notRepresentable("a " + typeName(value) + " has no Python equivalent");
			}
		}

		/** A dict key or set member: must be hashable in Python, so lists become tuples and sets frozensets. */
		private void key(@Nullable Object key, int depth) {
			if (key instanceof Map<?, ?>) {
				throw notRepresentable("a Map as a dict key or set member (a Python dict is unhashable)");
			}
			if (key instanceof Set<?> set) {
				enter(key, depth);
				mark();
				Map<Object, Object> seen = new HashMap<>();
				for (Object item : set) {
					this.path.addLast("[a " + typeName(item) + " member]");
					key(item, depth + 1);
					unique(seen, item);
					this.path.removeLast();
				}
				push(0x91);
				leave(key);
			}
			else if (key instanceof List<?> || (key != null && key.getClass().isArray() && !(key instanceof byte[]))) {
				enter(key, depth);
				List<?> items = items(key);
				if (items.isEmpty()) {
					push(')');
				}
				else {
					if (items.size() > 3) {
						mark();
					}
					for (int i = 0; i < items.size(); i++) {
						this.path.addLast("[" + i + "]");
						key(items.get(i), depth + 1);
						this.path.removeLast();
					}
					push((items.size() > 3) ? 't' : 0x84 + items.size());
				}
				leave(key);
			}
			else {
				value(key, depth);
			}
		}

		private static List<?> items(Object value) {
			if (value instanceof List<?> list) {
				return list;
			}
			if (value instanceof Object[] array) {
				return Arrays.asList(array);
			}
			int length = Array.getLength(value);
			List<Object> items = new ArrayList<>(length);
			for (int i = 0; i < length; i++) {
				items.add(Array.get(value, i));
			}
			return items;
		}

		private void enter(Object container, int depth) {
			if (depth > this.limits.maxDepth()) {
				throw notRepresentable("nested deeper than " + this.limits.maxDepth() + " (PickleLimits.maxDepth)");
			}
			if (!this.onPath.add(container)) {
				throw notRepresentable("the value contains itself (a cycle)");
			}
		}

		private void leave(Object container) {
			this.onPath.remove(container);
		}

		// ------------------------------------------------------------------ scalars

		private void integer(long value) {
			if (value >= 0 && value < 0x100) {
				push('K');
				u8((int) value);
			}
			else if (value >= 0 && value < 0x10000) {
				push('M');
				u8((int) value);
				u8((int) (value >>> 8));
			}
			else if (value == (int) value) {
				push('J');
				i32((int) value);
			}
			else {
				integer(BigInteger.valueOf(value));
			}
		}

		private void integer(BigInteger value) {
			if (value.bitLength() < 32) {
				integer(value.longValue());
				return;
			}
			byte[] bigEndian = value.toByteArray();
			int n = bigEndian.length;
			if (n > this.limits.maxIntegerBytes()) {
				throw notRepresentable("an integer of " + n + " bytes, over the limit of "
						+ this.limits.maxIntegerBytes() + " (PickleLimits.maxDigits)");
			}
			if (n < 0x100) {
				push(0x8a);
				u8(n);
			}
			else {
				push(0x8b);
				i32(n);
			}
			ensure(n);
			for (int i = n - 1; i >= 0; i--) {
				this.out[this.size++] = bigEndian[i];
			}
		}

		private void string(String text) {
			byte[] utf8 = PickleText.encodeUtf8(text);
			if (utf8.length < 0x100) {
				push(0x8c);
				u8(utf8.length);
			}
			else {
				push('X');
				i32(utf8.length);
			}
			raw(utf8);
		}

		private void bytes(byte[] bytes) {
			if (bytes.length < 0x100) {
				push('C');
				u8(bytes.length);
			}
			else {
				push('B');
				i32(bytes.length);
			}
			raw(bytes);
		}

		private void decimal(BigDecimal number) {
			int max = this.limits.maxDigits();
			if (number.precision() > max || Math.abs((long) number.scale()) > max) {
				throw notRepresentable("a BigDecimal with more than " + max + " digits or an exponent beyond " + max
						+ " (PickleLimits.maxDigits)");
			}
			global("decimal", "Decimal");
			// BigDecimal.toString and Python's Decimal follow the same decimal arithmetic specification: "1.50" and
			// "1E+3" read back with the same digits and exponent.
			string(number.toString());
			push(0x85);
			push('R');
		}

		private void date(LocalDate date) {
			checkYear(date.getYear());
			global("datetime", "date");
			state(date.getYear() >> 8, date.getYear() & 0xFF, date.getMonthValue(), date.getDayOfMonth());
			push(0x85);
			push('R');
		}

		private void time(LocalTime time, @Nullable ZoneOffset offset) {
			int micros = micros(time.getNano());
			global("datetime", "time");
			state(time.getHour(), time.getMinute(), time.getSecond(), micros >> 16, (micros >> 8) & 0xFF,
					micros & 0xFF);
			if (offset != null) {
				timezone(offset);
			}
			push((offset != null) ? 0x86 : 0x85);
			push('R');
		}

		private void dateTime(LocalDateTime dateTime, @Nullable ZoneOffset offset) {
			checkYear(dateTime.getYear());
			int micros = micros(dateTime.getNano());
			global("datetime", "datetime");
			int year = dateTime.getYear();
			state(year >> 8, year & 0xFF, dateTime.getMonthValue(), dateTime.getDayOfMonth(), dateTime.getHour(),
					dateTime.getMinute(), dateTime.getSecond(), micros >> 16, (micros >> 8) & 0xFF, micros & 0xFF);
			if (offset != null) {
				timezone(offset);
			}
			push((offset != null) ? 0x86 : 0x85);
			push('R');
		}

		/** {@code datetime.timezone(timedelta(seconds=offset))}, memoized per offset as Python shares tzinfos. */
		private void timezone(ZoneOffset offset) {
			String key = "timezone " + offset.getTotalSeconds();
			if (get(key)) {
				return;
			}
			global("datetime", "timezone");
			timedelta(Duration.ofSeconds(offset.getTotalSeconds()));
			push(0x85);
			push('R');
			memoize(key);
		}

		private void timedelta(Duration duration) {
			int micros = micros(duration.getNano());
			long days = Math.floorDiv(duration.getSeconds(), 86_400L);
			long seconds = Math.floorMod(duration.getSeconds(), 86_400L);
			if (Math.abs(days) > PickleTime.MAX_TIMEDELTA_DAYS) {
				throw notRepresentable("a Duration of " + duration + ", beyond Python's timedelta range of "
						+ PickleTime.MAX_TIMEDELTA_DAYS + " days");
			}
			global("datetime", "timedelta");
			integer(days);
			integer(seconds);
			integer(micros);
			push(0x87);
			push('R');
		}

		private int micros(int nanos) {
			if (nanos % 1000 != 0) {
				throw notRepresentable("a time with nanoseconds (" + nanos
						+ "): Python's datetime and timedelta have microseconds only");
			}
			return nanos / 1000;
		}

		private void checkYear(int year) {
			if (year < 1 || year > 9999) {
				throw notRepresentable("the year " + year + ", outside Python's 1-9999");
			}
		}

		private void state(int... bytes) {
			push('C');
			u8(bytes.length);
			for (int b : bytes) {
				u8(b);
			}
		}

		/** A global by STACK_GLOBAL the first time, then from the memo (as Python's pickler does). */
		private void global(String module, String name) {
			String key = "global " + module + " " + name;
			if (get(key)) {
				return;
			}
			string(module);
			string(name);
			push(0x93);
			memoize(key);
		}

		private boolean get(String key) {
			Integer index = this.memo.get(key);
			if (index == null) {
				return false;
			}
			if (index < 0x100) {
				push('h');
				u8(index);
			}
			else {
				push('j');
				i32(index);
			}
			return true;
		}

		private void memoize(String key) {
			this.memo.put(key, this.memo.size());
			op(0x94);
			count();
		}

		// ------------------------------------------------------------------ Python equality of keys

		/**
		 * Refuses a key equal in Python to an earlier one of the same dict or set: Python would keep one. Called after
		 * the key is written, so it is known to be acyclic, hashable and within the depth limit.
		 */
		private void unique(Map<Object, Object> seen, @Nullable Object key) {
			Object previous = seen.putIfAbsent(canonical(key), (key != null) ? key : NONE_KEY);
			if (previous != null) {
				throw notRepresentable("a " + typeName(previous == NONE_KEY ? null : previous) + " key and a "
						+ typeName(key) + " key that are equal in Python, which would keep only one");
			}
		}

		/** A value whose equals() is Python's ==: numbers by exact value, aware times by instant. */
		private static Object canonical(@Nullable Object key) {
			if (key == null) {
				return NONE_KEY;
			}
			if (key instanceof Boolean bool) {
				return bool ? BigDecimal.ONE : BigDecimal.ZERO;
			}
			if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte) {
				return number(BigDecimal.valueOf(((Number) key).longValue()));
			}
			if (key instanceof BigInteger number) {
				return number(new BigDecimal(number));
			}
			if (key instanceof Double || key instanceof Float) {
				double d = ((Number) key).doubleValue();
				if (Double.isNaN(d)) {
					// NaN is never equal to anything in Python, not even itself.
					return new Object();
				}
				return Double.isInfinite(d) ? d : number(new BigDecimal(d));
			}
			if (key instanceof BigDecimal number) {
				return number(number);
			}
			if (key instanceof byte[] bytes) {
				return ByteBuffer.wrap(bytes);
			}
			if (key instanceof OffsetDateTime dateTime) {
				return List.of("aware datetime", dateTime.toInstant());
			}
			if (key instanceof ZonedDateTime dateTime) {
				return List.of("aware datetime", dateTime.toInstant());
			}
			if (key instanceof Instant instant) {
				return List.of("aware datetime", instant);
			}
			if (key instanceof OffsetTime time) {
				return List.of("aware time", time.toLocalTime().toNanoOfDay() / 1000
						- time.getOffset().getTotalSeconds() * 1_000_000L);
			}
			if (key instanceof Set<?> set) {
				Set<Object> members = new HashSet<>();
				for (Object item : set) {
					members.add(canonical(item));
				}
				return List.of("frozenset", members);
			}
			if (key instanceof List<?> || (key.getClass().isArray())) {
				List<Object> items = new ArrayList<>();
				for (Object item : items(key)) {
					items.add(canonical(item));
				}
				return List.of("tuple", items);
			}
			return key;
		}

		private static BigDecimal number(BigDecimal value) {
			return (value.signum() == 0) ? BigDecimal.ZERO : value.stripTrailingZeros();
		}

		// ------------------------------------------------------------------ output

		private void count() {
			if (++this.created > this.limits.maxObjects()) {
				throw notRepresentable("more than " + this.limits.maxObjects()
						+ " values, marks and memo entries (PickleLimits.maxObjects)");
			}
		}

		/** An opcode that pushes one value. */
		private void push(int opcode) {
			count();
			op(opcode);
		}

		private void mark() {
			count();
			op('(');
		}

		void op(int opcode) {
			u8(opcode);
		}

		void u8(int value) {
			ensure(1);
			this.out[this.size++] = (byte) value;
		}

		private void i32(int value) {
			for (int i = 0; i < 4; i++) {
				u8(value >>> (8 * i));
			}
		}

		private void raw(byte[] bytes) {
			ensure(bytes.length);
			System.arraycopy(bytes, 0, this.out, this.size, bytes.length);
			this.size += bytes.length;
		}

		private void ensure(int more) {
			long needed = (long) this.size + more;
			if (needed > this.limits.maxBytes()) {
				throw notRepresentable("a pickle over " + this.limits.maxBytes() + " bytes (PickleLimits.maxBytes)");
			}
			if (needed > this.out.length) {
				this.out = Arrays.copyOf(this.out, (int) Math.min(this.limits.maxBytes(),
						Math.max(needed, 2L * this.out.length)));
			}
		}

		private static String typeName(@Nullable Object value) {
			return (value != null) ? value.getClass().getTypeName() : "null";
		}

		private PickleNotRepresentableException notRepresentable(String message) {
			String where = this.path.isEmpty() ? "the value" : "value" + String.join("", this.path);
			return new PickleNotRepresentableException("Cannot write " + where + " as a Python pickle: " + message);
		}

	}

}
