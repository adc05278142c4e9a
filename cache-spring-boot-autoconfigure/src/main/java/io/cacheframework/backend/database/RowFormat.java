package io.cacheframework.backend.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.EnumSet;
import java.util.Set;

import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueCodec.Kind;
import org.jspecify.annotations.Nullable;

/**
 * How a value is a row: the {@link ValueCodec} decides the kind, and this table says how the row holds it.
 *
 * <pre>
 * kind      value column            int_value
 * INTEGER   'I' (one byte)          the number
 * LONG      'L' (one byte)          the number
 * JAVA      the serializer's bytes  NULL
 * </pre>
 *
 * Integers live in their own {@code bigint} column so that {@code incr} is one atomic {@code UPDATE} and no numeric
 * text is ever parsed from the table; every other value is the codec's {@link Kind#JAVA} bytes (the table cannot
 * tell text, bytes or a pickle apart from them). Rows written before the codec existed have exactly this form.
 */
final class RowFormat {

	/** The kinds the table tells apart: the integers; everything else is {@link Kind#JAVA}. */
	private static final Set<Kind> STORABLE = EnumSet.of(Kind.INTEGER, Kind.LONG);

	private static final byte INTEGER_MARKER = 'I';

	private static final byte LONG_MARKER = 'L';

	private static final byte[] INTEGER_VALUE = { INTEGER_MARKER };

	/** The value column of a {@code Long}: the increment statement writes it when a sum leaves the int range. */
	static final byte[] LONG_VALUE = { LONG_MARKER };

	private final ValueCodec codec;

	private final long maxValueBytes;

	private final String alias;

	RowFormat(ValueCodec codec, long maxValueBytes, String alias) {
		this.codec = codec;
		this.maxValueBytes = maxValueBytes;
		this.alias = alias;
	}

	/**
	 * The columns of a value.
	 * @throws ValueNotStorableException if it cannot be serialized or is larger than {@code max-value-bytes}
	 */
	Encoded encode(@Nullable Object value) {
		ValueCodec.Stored stored = this.codec.encode(value, STORABLE);
		return switch (stored.kind()) {
			case INTEGER -> new Encoded(INTEGER_VALUE, ((Number) value).longValue());
			case LONG -> new Encoded(LONG_VALUE, ((Number) value).longValue());
			default -> bytes(stored.data());
		};
	}

	private Encoded bytes(byte[] data) {
		if (data.length > this.maxValueBytes) {
			throw new ValueNotStorableException("Cannot cache a value of " + data.length
					+ " bytes serialized in cache '" + this.alias + "': the limit (max-value-bytes) is "
					+ this.maxValueBytes);
		}
		return new Encoded(data, null);
	}

	/**
	 * Refuse a value larger than the table's statements take ({@link Sql#maxValueBytes}: {@code max-value-bytes},
	 * or less where the database takes less in one statement), before anything is sent: such a statement would fail
	 * (on MariaDB by dropping the connection, which looks like a database that does not answer).
	 * @throws ValueNotStorableException if it is larger
	 */
	void checkSize(Encoded encoded, Sql sql) {
		if (encoded.value.length > sql.maxValueBytes) {
			throw new ValueNotStorableException("Cannot cache a value of " + encoded.value.length
					+ " bytes serialized in cache '" + this.alias + "': the limit is " + sql.maxValueBytes + " bytes ("
					+ sql.maxValueReason + ")");
		}
	}

	/**
	 * The value of a row.
	 * @throws UnreadableValueException if the row was refused by its stored length, is a number without its marker,
	 * or the codec refuses its bytes
	 */
	@Nullable Object decode(Row row) {
		byte[] value = row.value;
		if (value == null) {
			// Refused by its stored length (the query did not return it): planted, or written by other means.
			throw new UnreadableValueException("stored value is larger than the cache's limit (max-value-bytes, "
					+ this.maxValueBytes + " bytes, or less where the database takes less in one statement)");
		}
		if (row.intValue != null) {
			if (!isNumber(row)) {
				throw new UnreadableValueException(
						"a number whose value column is not a type marker but " + value.length + " bytes");
			}
			Kind kind = (value[0] == INTEGER_MARKER) ? Kind.INTEGER : Kind.LONG;
			// The codec's rule: an Integer stays one while it fits.
			return this.codec.decode(kind, ValueCodec.decimal(row.intValue));
		}
		return this.codec.decode(Kind.JAVA, value);
	}

	/**
	 * Whether a row holds an {@code Integer} or a {@code Long}: its number, and its marker in the value column.
	 */
	static boolean isNumber(Row row) {
		byte[] value = row.value;
		return row.intValue != null && value != null && value.length == 1
				&& (value[0] == INTEGER_MARKER || value[0] == LONG_MARKER);
	}

	/**
	 * Bind a row to the parameters {@code (cache_key, value, int_value, expires)}.
	 */
	static void bind(PreparedStatement statement, String key, Encoded encoded, long expires) throws SQLException {
		statement.setString(1, key);
		statement.setBytes(2, encoded.value);
		if (encoded.intValue != null) {
			statement.setLong(3, encoded.intValue);
		}
		else {
			statement.setNull(3, Types.BIGINT);
		}
		statement.setLong(4, expires);
	}

	/**
	 * Read the columns {@code (value, int_value, expires)} from a column on.
	 */
	static Row read(ResultSet rs, int first) throws SQLException {
		byte[] value = rs.getBytes(first);
		long number = rs.getLong(first + 1);
		Long intValue = rs.wasNull() ? null : number;
		return new Row(value, intValue, rs.getLong(first + 2));
	}

	/**
	 * A value's columns.
	 */
	record Encoded(byte[] value, @Nullable Long intValue) {
	}

	/**
	 * A row as read; {@code value} is {@code null} when its stored length is over the limit.
	 */
	record Row(byte @Nullable [] value, @Nullable Long intValue, long expires) {

		boolean expiredAt(long now) {
			return this.expires <= now;
		}

	}

}
