package io.cacheframework.serializer;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Python's {@code datetime} pickles and their java.time equivalents: the byte layout of the pickled state of
 * {@code date}, {@code time} and {@code datetime} (CPython's {@code _datetimemodule.c}, {@code __reduce_ex__}),
 * {@code timedelta}'s normalisation, and the time zones Python pickles ({@code datetime.timezone}, {@code zoneinfo},
 * pytz).
 */
final class PickleTime {

	/** Python's {@code timedelta.max.days}. */
	static final long MAX_TIMEDELTA_DAYS = 999_999_999L;

	private PickleTime() {
	}

	/**
	 * A Python {@code tzinfo}: a fixed offset, or a region whose offset depends on the local date-time.
	 */
	record Tz(@Nullable ZoneOffset offset, @Nullable ZoneId region, String description) {

		static Tz fixed(ZoneOffset offset, String description) {
			return new Tz(offset, null, description);
		}

		ZoneOffset offsetAt(LocalDateTime local, boolean fold) {
			if (this.offset != null) {
				return this.offset;
			}
			ZoneRules rules = this.region.getRules();
			List<ZoneOffset> valid = rules.getValidOffsets(local);
			if (valid.size() == 1) {
				return valid.get(0);
			}
			// PEP 495: fold=0 picks the offset before the transition, fold=1 the one after, in a gap as in an
			// overlap (getValidOffsets lists an overlap's offsets in that order).
			if (valid.size() == 2) {
				return valid.get(fold ? 1 : 0);
			}
			ZoneOffsetTransition gap = rules.getTransition(local);
			return fold ? gap.getOffsetAfter() : gap.getOffsetBefore();
		}

		@Override
		public String toString() {
			return this.description;
		}

	}

	/** {@code date}: year (2 bytes, big-endian), month, day. */
	static LocalDate date(byte[] state) {
		expect(state, 4, "date");
		return at("date", () -> LocalDate.of(year(state), state[2], state[3]));
	}

	/** {@code time}: hour (fold in its top bit), minute, second, microsecond (3 bytes, big-endian). */
	static Object time(byte[] state, @Nullable Tz tz) {
		expect(state, 6, "time");
		int hour = state[0] & 0x7F;
		LocalTime time = at("time", () -> LocalTime.of(hour, state[1], state[2], micros(state, 3) * 1000));
		if (tz == null) {
			return time;
		}
		if (tz.offset() == null) {
			// Python's time.utcoffset() asks the zone with no date: a region has no offset for a bare time.
			throw new UnreadableValueException(
					"a datetime.time with the zone " + tz.description() + " has no fixed offset, so no Java equivalent");
		}
		return OffsetTime.of(time, tz.offset());
	}

	/** {@code datetime}: year (2 bytes), month (fold in its top bit), day, hour, minute, second, microsecond. */
	static Object datetime(byte[] state, @Nullable Tz tz) {
		expect(state, 10, "datetime");
		boolean fold = (state[2] & 0x80) != 0;
		int month = state[2] & 0x7F;
		LocalDateTime local = at("datetime", () -> LocalDateTime.of(year(state), month, state[3], state[4], state[5],
				state[6], micros(state, 7) * 1000));
		if (tz == null) {
			return local;
		}
		return OffsetDateTime.of(local, tz.offsetAt(local, fold));
	}

	/**
	 * {@code timedelta(days, seconds, microseconds)}, normalised as Python does, within Python's range.
	 */
	static Duration timedelta(long days, long seconds, long micros) {
		try {
			Duration duration = Duration.ofDays(days).plusSeconds(seconds).plusNanos(Math.multiplyExact(micros, 1000L));
			long normalisedDays = Math.floorDiv(duration.getSeconds(), 86_400L);
			if (Math.abs(normalisedDays) > MAX_TIMEDELTA_DAYS) {
				throw new UnreadableValueException("a timedelta beyond Python's range of " + MAX_TIMEDELTA_DAYS + " days");
			}
			return duration;
		}
		catch (ArithmeticException ex) {
			throw new UnreadableValueException("a timedelta beyond Python's range", ex);
		}
	}

	/** {@code datetime.timezone(offset[, name])}: the name is not kept. */
	static Tz timezone(Duration offset) {
		if (offset.getNano() != 0 || Math.abs(offset.getSeconds()) > 18 * 3600) {
			throw new UnreadableValueException("a datetime.timezone of " + offset
					+ " has no Java equivalent (java.time offsets are whole seconds within 18 hours)");
		}
		return Tz.fixed(ZoneOffset.ofTotalSeconds((int) offset.getSeconds()), "datetime.timezone(" + offset + ")");
	}

	/** A fixed offset in seconds (pytz's {@code _p} with a DST state, {@code FixedOffset} in minutes times 60). */
	static Tz fixedSeconds(long seconds, String description) {
		if (Math.abs(seconds) > 18 * 3600) {
			throw new UnreadableValueException("the time zone " + description
					+ " has no Java equivalent (java.time offsets are within 18 hours)");
		}
		return Tz.fixed(ZoneOffset.ofTotalSeconds((int) seconds), description);
	}

	/** A region by its IANA key ({@code zoneinfo.ZoneInfo}). */
	static Tz region(String key) {
		try {
			return new Tz(null, ZoneId.of(key), "zoneinfo.ZoneInfo('" + printable(key) + "')");
		}
		catch (DateTimeException ex) {
			throw new UnreadableValueException("unknown time zone '" + printable(key) + "'", ex);
		}
	}

	/** pytz's {@code _p(zone)} for a {@code StaticTzInfo}: a zone with one fixed offset. */
	static Tz staticRegion(String zone) {
		Tz tz = region(zone);
		ZoneRules rules = tz.region().getRules();
		if (!rules.isFixedOffset()) {
			throw new UnreadableValueException("pytz zone '" + printable(zone)
					+ "' was pickled without an offset, but java.time knows it with several");
		}
		return Tz.fixed(rules.getOffset(java.time.Instant.EPOCH), "pytz '" + printable(zone) + "'");
	}

	private static int year(byte[] state) {
		int year = ((state[0] & 0xFF) << 8) | (state[1] & 0xFF);
		if (year < 1 || year > 9999) {
			throw new UnreadableValueException("a date with the year " + year + ", outside Python's 1-9999");
		}
		return year;
	}

	private static int micros(byte[] state, int offset) {
		return ((state[offset] & 0xFF) << 16) | ((state[offset + 1] & 0xFF) << 8) | (state[offset + 2] & 0xFF);
	}

	private static void expect(byte[] state, int length, String type) {
		if (state.length != length) {
			throw new UnreadableValueException("a pickled datetime." + type + " state has " + state.length
					+ " bytes, expected " + length);
		}
	}

	private interface Factory<T> {

		T make();

	}

	private static <T> T at(String type, Factory<T> factory) {
		try {
			return factory.make();
		}
		catch (DateTimeException ex) {
			throw new UnreadableValueException("an invalid datetime." + type + ": " + ex.getMessage(), ex);
		}
	}

	/** Escape control characters and cap the length, so that text from the stream is safe in a log line. */
	static String printable(String text) {
		StringBuilder out = new StringBuilder(Math.min(text.length(), 100) + 8);
		for (int i = 0; i < text.length() && i < 100; i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || Character.isSurrogate(c)) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		if (text.length() > 100) {
			out.append("...");
		}
		return out.toString();
	}

}
