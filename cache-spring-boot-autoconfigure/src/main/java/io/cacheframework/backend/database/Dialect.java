package io.cacheframework.backend.database;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The SQL of one database product. Every statement names the table and the columns quoted, so that names are
 * exact on every product (H2 would otherwise upper-case them, and {@code value} is a keyword there).
 *
 * <p>Columns: {@code cache_key} (primary key), {@code value} (bytes; for integers a one-byte type marker),
 * {@code int_value} (the integer of an {@code Integer} or {@code Long} value, so that {@code incr} is one atomic
 * {@code UPDATE}; {@code NULL} otherwise) and {@code expires} (epoch milliseconds by the cache's clock,
 * {@link Long#MAX_VALUE} for never).
 */
enum Dialect {

	/**
	 * PostgreSQL: {@code INSERT ... ON CONFLICT}, {@code UPDATE ... RETURNING}.
	 */
	POSTGRESQL("\"", "varchar(255) COLLATE \"C\"", "bytea") {

		@Override
		String upsert(String table) {
			return "INSERT INTO " + table + " (\"cache_key\", \"value\", \"int_value\", \"expires\") VALUES (?, ?, ?, ?)"
					+ " ON CONFLICT (\"cache_key\") DO UPDATE SET \"value\" = EXCLUDED.\"value\","
					+ " \"int_value\" = EXCLUDED.\"int_value\", \"expires\" = EXCLUDED.\"expires\"";
		}

		@Override
		String addIfAbsent(String table) {
			// The conflicting row is locked and re-checked by ON CONFLICT, so concurrent adds have one winner.
			return "INSERT INTO " + table + " AS c (\"cache_key\", \"value\", \"int_value\", \"expires\")"
					+ " VALUES (?, ?, ?, ?) ON CONFLICT (\"cache_key\") DO UPDATE SET \"value\" = EXCLUDED.\"value\","
					+ " \"int_value\" = EXCLUDED.\"int_value\", \"expires\" = EXCLUDED.\"expires\""
					+ " WHERE c.\"expires\" <= ?";
		}

		@Override
		String increment(String table, long maxValueBytes) {
			return super.increment(table, maxValueBytes) + " RETURNING \"int_value\", "
					+ cappedValue(maxValueBytes);
		}

		@Override
		String limitedDelete(String table, String where) {
			return "DELETE FROM " + table + " WHERE \"cache_key\" IN (SELECT \"cache_key\" FROM " + table + " WHERE "
					+ where + " LIMIT ?)";
		}

		@Override
		long largestValue(long maxAllowedPacket) {
			return POSTGRESQL_LARGEST_VALUE;
		}

		@Override
		String largestValueReason(long maxAllowedPacket) {
			return "PostgreSQL sends a bytea read in text form as hex, two bytes per byte, built in one allocation of"
					+ " at most 1 GB";
		}

	},

	/**
	 * MariaDB and MySQL: {@code INSERT ... ON DUPLICATE KEY UPDATE}, {@code DELETE ... LIMIT}. Keys have a binary,
	 * no-pad collation: keys differing in case or trailing spaces are different keys.
	 */
	MARIADB("`", "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", "longblob") {

		@Override
		String upsert(String table) {
			return "INSERT INTO " + table + " (`cache_key`, `value`, `int_value`, `expires`) VALUES (?, ?, ?, ?)"
					+ " ON DUPLICATE KEY UPDATE `value` = VALUES(`value`), `int_value` = VALUES(`int_value`),"
					+ " `expires` = VALUES(`expires`)";
		}

		@Override
		String limitedDelete(String table, String where) {
			return "DELETE FROM " + table + " WHERE " + where + " LIMIT ?";
		}

		@Override
		@Nullable String maxAllowedPacketQuery() {
			return "SELECT @@max_allowed_packet";
		}

		@Override
		long largestValue(long maxAllowedPacket) {
			return packetLimited(maxAllowedPacket);
		}

		@Override
		String largestValueReason(long maxAllowedPacket) {
			return packetReason("MariaDB", maxAllowedPacket);
		}

	},

	/**
	 * MySQL 8: as MariaDB, with MySQL's binary no-pad collation.
	 */
	MYSQL("`", "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin", "longblob") {

		@Override
		String upsert(String table) {
			return MARIADB.upsert(table);
		}

		@Override
		String limitedDelete(String table, String where) {
			return MARIADB.limitedDelete(table, where);
		}

		@Override
		@Nullable String maxAllowedPacketQuery() {
			return MARIADB.maxAllowedPacketQuery();
		}

		@Override
		long largestValue(long maxAllowedPacket) {
			return packetLimited(maxAllowedPacket);
		}

		@Override
		String largestValueReason(long maxAllowedPacket) {
			return packetReason("MySQL", maxAllowedPacket);
		}

	},

	/**
	 * H2 2.x: {@code MERGE ... KEY}, {@code DELETE ... FETCH FIRST}.
	 */
	H2("\"", "varchar(255)", "blob") {

		@Override
		String upsert(String table) {
			return "MERGE INTO " + table + " (\"cache_key\", \"value\", \"int_value\", \"expires\") KEY (\"cache_key\")"
					+ " VALUES (?, ?, ?, ?)";
		}

		@Override
		String limitedDelete(String table, String where) {
			return "DELETE FROM " + table + " WHERE " + where + " FETCH FIRST ? ROWS ONLY";
		}

		@Override
		long largestValue(long maxAllowedPacket) {
			return H2_LARGEST_VALUE;
		}

		@Override
		String largestValueReason(long maxAllowedPacket) {
			return "H2 takes no binary value longer than 1000000000 bytes";
		}

	};

	/**
	 * Bytes a statement that stores a value takes besides the value, at most: the upsert with the longest table name
	 * (under 400 bytes), a key of 255 four-byte characters (1020 bytes), the numbers and the protocol's headers.
	 */
	static final int STATEMENT_BYTES = 4096;

	/**
	 * PostgreSQL's largest value, with room for the statement: pgjdbc reads a {@code bytea} sent as text (its
	 * default until a statement has run 5 times on a connection, and always with {@code prepareThreshold=0}), which
	 * the server builds as {@code \x} and two hex digits per byte in one allocation of at most 1 GB - 1 bytes; so a
	 * larger value could be written (pgjdbc's limit for the whole statement is also 1 GB - 1) but never read back.
	 */
	static final long POSTGRESQL_LARGEST_VALUE = (1L << 29) - 64 * 1024;

	/** H2's largest binary value ({@code Constants.MAX_STRING_LENGTH}): a longer one is "Value too long" (22001). */
	static final long H2_LARGEST_VALUE = 1_000_000_000L;

	private final String quote;

	private final String keyType;

	private final String valueType;

	Dialect(String quote, String keyType, String valueType) {
		this.quote = quote;
		this.keyType = keyType;
		this.valueType = valueType;
	}

	/**
	 * The dialect of a product name from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
	 * @param productName the product name
	 * @param productVersion the product version (MySQL's driver reports a MariaDB server as "MySQL" with a
	 * version such as {@code 10.11.19-MariaDB})
	 * @param url the JDBC URL
	 * @return the dialect
	 * @throws IllegalArgumentException for an unsupported product
	 */
	static Dialect of(String productName, String productVersion, String url) {
		String name = productName.toLowerCase(Locale.ROOT);
		if (name.contains("postgresql")) {
			return POSTGRESQL;
		}
		String version = (productVersion != null) ? productVersion.toLowerCase(Locale.ROOT) : "";
		if (name.contains("mariadb") || version.contains("mariadb") || (url != null && url.startsWith("jdbc:mariadb:"))) {
			return MARIADB;
		}
		if (name.contains("mysql")) {
			return MYSQL;
		}
		if (name.equals("h2")) {
			return H2;
		}
		throw new IllegalArgumentException("The database cache supports PostgreSQL, MariaDB, MySQL and H2, not '"
				+ productName + "'");
	}

	/**
	 * Quote a table name, schema-qualified or not.
	 * @param name a validated name
	 * @return the quoted name
	 */
	String quote(String name) {
		StringBuilder quoted = new StringBuilder();
		for (String part : name.split("\\.")) {
			if (!quoted.isEmpty()) {
				quoted.append('.');
			}
			quoted.append(this.quote).append(part).append(this.quote);
		}
		return quoted.toString();
	}

	/**
	 * Whether {@code add} is one {@code INSERT ... ON CONFLICT} statement (true), or a delete of an expired row
	 * followed by a plain {@code INSERT} whose duplicate-key failure means "present" (false). MariaDB's
	 * {@code ON DUPLICATE KEY UPDATE} cannot say whether it changed a row: with Connector/J's default
	 * {@code useAffectedRows=false} an unchanged row counts as 1, the same as an insert.
	 * @return whether the dialect has a conditional upsert
	 */
	boolean hasConditionalUpsert() {
		return this == POSTGRESQL;
	}

	/**
	 * Whether {@code incr} returns the new value from the {@code UPDATE} itself.
	 * @return whether the dialect supports {@code UPDATE ... RETURNING}
	 */
	boolean hasUpdateReturning() {
		return this == POSTGRESQL;
	}

	/**
	 * The query for the server's limit on one statement, read once when the product is detected.
	 * @return {@code SELECT @@max_allowed_packet} on MariaDB and MySQL, else {@code null} (no such setting)
	 */
	@Nullable String maxAllowedPacketQuery() {
		return null;
	}

	/**
	 * The largest value this product stores in one statement and returns in one read, in bytes: values are
	 * refused above it before they are sent (whatever {@code max-value-bytes} says), so that no statement is one
	 * the driver or the server refuses (MariaDB drops the connection on a statement over
	 * {@code max_allowed_packet}, which would look like a database that does not answer).
	 * @param maxAllowedPacket the server's {@code max_allowed_packet} (MariaDB and MySQL; ignored by the others)
	 * @return the largest value, at least 0
	 */
	abstract long largestValue(long maxAllowedPacket);

	/**
	 * Why {@link #largestValue} is what it is, for the message of a value refused by it.
	 * @param maxAllowedPacket the server's {@code max_allowed_packet} (MariaDB and MySQL; ignored by the others)
	 * @return the reason
	 */
	abstract String largestValueReason(long maxAllowedPacket);

	/**
	 * MariaDB's and MySQL's largest value: half of {@code max_allowed_packet}, less the statement. Their drivers
	 * send a value inside the statement's text (unless server-side prepared statements are on), where every byte
	 * {@code 0}, {@code '}, {@code "} or {@code \} takes two (escaped), or every byte two (hex): a 9 MB value of
	 * zero bytes is an 18 MB statement.
	 */
	private static long packetLimited(long maxAllowedPacket) {
		return Math.max(0, (maxAllowedPacket - STATEMENT_BYTES) / 2);
	}

	private static String packetReason(String product, long maxAllowedPacket) {
		return product + "'s max_allowed_packet is " + maxAllowedPacket + " bytes, and a value may take two bytes"
				+ " per byte in the statement (" + STATEMENT_BYTES + " bytes left for the rest of it)";
	}

	/**
	 * The statements that create the cache table and its expiry index.
	 * @param table the quoted table
	 * @param index the quoted index name
	 * @return the statements, in order
	 */
	List<String> createTable(String table, String index) {
		return List.of("CREATE TABLE " + table + " (\n" //
				+ "    " + col("cache_key") + " " + this.keyType + " NOT NULL PRIMARY KEY,\n" //
				+ "    " + col("value") + " " + this.valueType + " NOT NULL,\n" //
				+ "    " + col("int_value") + " bigint,\n" //
				+ "    " + col("expires") + " bigint NOT NULL\n" //
				+ ")", "CREATE INDEX " + index + " ON " + table + " (" + col("expires") + ")");
	}

	abstract String upsert(String table);

	String addIfAbsent(String table) {
		throw new UnsupportedOperationException();
	}

	/**
	 * The insert of {@code add} on dialects without a conditional upsert: a duplicate key means "present".
	 * MariaDB and MySQL use {@code INSERT IGNORE}, which reports a duplicate as 0 rows instead of an error (their
	 * driver logs every error packet at WARN, and a lost {@code add} is routine). The other errors
	 * {@code IGNORE} would turn into warnings cannot happen here: keys are checked to fit the column, and every
	 * other column is a full-range {@code bigint} or a {@code longblob}.
	 * @param table the quoted table
	 * @return the statement
	 */
	String insert(String table) {
		String insert = (this == MARIADB || this == MYSQL) ? "INSERT IGNORE INTO " : "INSERT INTO ";
		return insert + table + " (" + col("cache_key") + ", " + col("value") + ", " + col("int_value") + ", "
				+ col("expires") + ") VALUES (?, ?, ?, ?)";
	}

	/**
	 * The value column where it is at most a number of bytes, else {@code NULL} (the column is {@code NOT NULL}, so
	 * {@code NULL} means "too large"): a row planted with a huge value is refused by its stored length, without
	 * the value crossing the network or being allocated in the JVM (PostgreSQL and H2 do not even read it; MariaDB
	 * may, on the server).
	 * @param maxValueBytes the largest value read
	 * @return the expression
	 */
	String cappedValue(long maxValueBytes) {
		return "CASE WHEN OCTET_LENGTH(" + col("value") + ") <= " + maxValueBytes + " THEN " + col("value") + " END";
	}

	String select(String table, long maxValueBytes) {
		return "SELECT " + cappedValue(maxValueBytes) + ", " + col("int_value") + ", " + col("expires") + " FROM "
				+ table + " WHERE " + col("cache_key") + " = ?";
	}

	String selectMany(String table, int count, long maxValueBytes) {
		return "SELECT " + col("cache_key") + ", " + cappedValue(maxValueBytes) + ", " + col("int_value") + ", "
				+ col("expires") + " FROM " + table + " WHERE " + col("cache_key") + " IN (" + placeholders(count)
				+ ")";
	}

	String hasKey(String table) {
		return "SELECT 1 FROM " + table + " WHERE " + col("cache_key") + " = ? AND " + col("expires") + " > ?";
	}

	String touch(String table) {
		return "UPDATE " + table + " SET " + col("expires") + " = ? WHERE " + col("cache_key") + " = ? AND "
				+ col("expires") + " > ?";
	}

	String delete(String table) {
		return "DELETE FROM " + table + " WHERE " + col("cache_key") + " = ?";
	}

	String deleteIfExpired(String table) {
		return "DELETE FROM " + table + " WHERE " + col("cache_key") + " = ? AND " + col("expires") + " <= ?";
	}

	String deleteMany(String table, int count) {
		return "DELETE FROM " + table + " WHERE " + col("cache_key") + " IN (" + placeholders(count) + ")";
	}

	/**
	 * Add to an integer atomically. The type marker changes from Integer to Long when the sum leaves the int range
	 * (as {@code addToNumber} does in memory); it is assigned before {@code int_value} because MySQL and MariaDB
	 * evaluate assignments left to right with the new values. Parameters: delta, long marker, delta, key, now.
	 * @param table the quoted table
	 * @param maxValueBytes the largest value a {@code RETURNING} clause may return
	 * @return the statement
	 */
	String increment(String table, long maxValueBytes) {
		return "UPDATE " + table + " SET " + col("value") + " = CASE WHEN " + col("int_value")
				+ " + ? BETWEEN -2147483648 AND 2147483647 THEN " + col("value") + " ELSE ? END, " + col("int_value")
				+ " = " + col("int_value") + " + ? WHERE " + col("cache_key") + " = ? AND " + col("expires")
				+ " > ? AND " + col("int_value") + " IS NOT NULL";
	}

	String count(String table) {
		return "SELECT COUNT(*) FROM " + table;
	}

	/**
	 * The size statistics in one scan: the rows that have not expired, and the bytes of every value.
	 * @param table the quoted table
	 * @return the statement (parameter: now)
	 */
	String size(String table) {
		return "SELECT COUNT(CASE WHEN " + col("expires") + " > ? THEN 1 END), SUM(OCTET_LENGTH(" + col("value")
				+ ")) FROM " + table;
	}

	/**
	 * Django's cull: the key at an offset in key order; every key before it is deleted.
	 * @param table the quoted table
	 * @return the statement (parameter: the offset)
	 */
	String keyAtOffset(String table) {
		return "SELECT " + col("cache_key") + " FROM " + table + " ORDER BY " + col("cache_key") + " LIMIT 1 OFFSET ?";
	}

	/**
	 * A delete of at most a number of rows matching a condition (the last parameter is the limit), so that a large
	 * delete runs as several short statements, each within the query timeout, instead of one long one.
	 * @param table the quoted table
	 * @param where the condition
	 * @return the statement
	 */
	abstract String limitedDelete(String table, String where);

	String expiredCondition() {
		return col("expires") + " <= ?";
	}

	String keyBeforeCondition() {
		return col("cache_key") + " < ?";
	}

	String probe(String table) {
		return "SELECT " + col("cache_key") + " FROM " + table + " WHERE 1 = 0";
	}

	String col(String name) {
		return this.quote + name + this.quote;
	}

	private static String placeholders(int count) {
		StringBuilder sql = new StringBuilder(count * 3);
		for (int i = 0; i < count; i++) {
			sql.append((i > 0) ? ", ?" : "?");
		}
		return sql.toString();
	}

}
