package io.cacheframework.backend.database;

/**
 * The statements of one table on one database product, built once when the product is known (the first statement
 * of the backend, see {@link Jdbc#sql()}).
 */
final class Sql {

	final Dialect dialect;

	/** The quoted table name. */
	final String table;

	/**
	 * The largest value written and read: {@code max-value-bytes}, or less where the product (or MariaDB's and
	 * MySQL's {@code max_allowed_packet}) takes less in one statement ({@link Dialect#largestValue}).
	 */
	final long maxValueBytes;

	/** Why {@link #maxValueBytes} is what it is, for the message of a value refused by it. */
	final String maxValueReason;

	final String select;

	final String hasKey;

	final String upsert;

	final String addIfAbsent;

	final String insert;

	final String deleteIfExpired;

	final String touch;

	final String delete;

	final String increment;

	final String count;

	final String keyAtOffset;

	final String size;

	/**
	 * @param dialect the product's SQL
	 * @param table the table name, unquoted
	 * @param maxValueBytes the configured {@code max-value-bytes}
	 * @param maxAllowedPacket MariaDB's and MySQL's {@code max_allowed_packet} (ignored by the others)
	 */
	Sql(Dialect dialect, String table, long maxValueBytes, long maxAllowedPacket) {
		this.dialect = dialect;
		this.table = dialect.quote(table);
		long largest = dialect.largestValue(maxAllowedPacket);
		this.maxValueBytes = Math.min(maxValueBytes, largest);
		this.maxValueReason = (largest < maxValueBytes) ? dialect.largestValueReason(maxAllowedPacket)
				: "max-value-bytes";
		this.select = dialect.select(this.table, this.maxValueBytes);
		this.size = dialect.size(this.table);
		this.hasKey = dialect.hasKey(this.table);
		this.upsert = dialect.upsert(this.table);
		this.addIfAbsent = dialect.hasConditionalUpsert() ? dialect.addIfAbsent(this.table) : "";
		this.insert = dialect.insert(this.table);
		this.deleteIfExpired = dialect.deleteIfExpired(this.table);
		this.touch = dialect.touch(this.table);
		this.delete = dialect.delete(this.table);
		this.increment = dialect.increment(this.table, this.maxValueBytes);
		this.count = dialect.count(this.table);
		this.keyAtOffset = dialect.keyAtOffset(this.table);
	}

	String selectMany(int keys) {
		return this.dialect.selectMany(this.table, keys, this.maxValueBytes);
	}

	String deleteMany(int keys) {
		return this.dialect.deleteMany(this.table, keys);
	}

	/**
	 * Delete the given keys where they have expired (parameters: the keys, then now).
	 */
	String deleteManyExpired(int keys) {
		return this.dialect.deleteMany(this.table, keys) + " AND " + this.dialect.expiredCondition();
	}

	/**
	 * Delete at most a number of rows (the last parameter) matching a condition.
	 */
	String limitedDelete(String where) {
		return this.dialect.limitedDelete(this.table, where);
	}

	String probe() {
		return this.dialect.probe(this.table);
	}

}
