package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.cacheframework.backend.database.RowFormat.Encoded;
import io.cacheframework.backend.database.RowFormat.Row;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code DatabaseCache}: entries in a table ({@code location} is its name) on PostgreSQL, MariaDB, MySQL
 * or H2, with one statement per operation.
 *
 * <p>Schema (created by {@link #createTable()}, the {@code createcachetable} command):
 * <pre>
 * cache_key  varchar(255) primary key   the made key (binary collation: case and trailing spaces matter)
 * value      bytea / longblob / blob    the serialized value; for Integer and Long a one-byte type marker
 * int_value  bigint, nullable           the number of an Integer or Long value, so incr is one atomic UPDATE
 * expires    bigint                     epoch milliseconds by the cache's Clock; Long.MAX_VALUE = never
 * index &lt;table&gt;_expires on (expires)
 * </pre>
 * Expiry is an absolute instant from the injected {@link java.time.Clock}, never the database's {@code NOW()}, so
 * neither the JVM's nor the database's time zone (nor DST, nor clock skew between them) matters.
 *
 * <p>Statements: {@code set} is one upsert (PostgreSQL {@code ON CONFLICT}, MariaDB/MySQL
 * {@code ON DUPLICATE KEY UPDATE}, H2 {@code MERGE}), so concurrent writers never see duplicate-key errors;
 * {@code add} has exactly one winner (an expired row counts as absent); {@code incr}/{@code decr} are one atomic
 * {@code UPDATE} that keeps the expiry and the type; {@code getMany} is one query, {@code setMany} one batch,
 * {@code deleteMany} one statement; expired rows read as misses and are deleted.
 *
 * <p>Transactions: every statement runs on its own connection (never the connection of a surrounding Spring
 * transaction) in auto-commit mode, with a query timeout, so a cache call never joins, blocks, rolls back or poisons
 * the caller's transaction. Cache writes are therefore not rolled back with the caller's work. Any database failure
 * is a {@link CacheAccessException}: a miss or a failed write.
 *
 * <p>Bounded calls ({@link DatabaseOptions}): when the application's data source is a Hikari pool the cache opens
 * its own small pool with the same settings, so it never waits for connections the application's transactions hold;
 * otherwise (or with a pool size of 0) the wait for a connection is bounded by the connect timeout. Every connection
 * gets a network timeout (the query timeout plus 250 ms), so a server that stops answering fails the statement
 * instead of hanging it. After {@code timeout-threshold} unanswered statements in a row a circuit breaker makes calls
 * fast misses for {@code reconnect-delay}, then one call tries again.
 *
 * <p>Value size: the limit is {@code max-value-bytes}, or less where the database takes less in one statement
 * (MariaDB's and MySQL's {@code max_allowed_packet}, PostgreSQL's and H2's own limits: {@code Dialect.largestValue}).
 * A larger value is refused before it is sent ({@link ValueNotStorableException}; in {@code setMany} only its key),
 * so it never breaks a connection nor counts as the database not answering.
 *
 * <p>Hostile rows: the stored length of a value is checked by the query itself, so a value over the limit is never
 * sent or allocated; it is a miss and is deleted, as is a number row whose value column is not its one-byte type
 * marker, and any value the codec refuses. Numbers are a {@code bigint} column: no numeric text is parsed.
 *
 * <p>Where the rest lives: {@code Jdbc} runs statements (retries, timeouts, breaker), {@code ConnectionSource} and
 * {@code HikariPools} give bounded connections, {@code Dialect} and {@code Sql} hold the SQL, {@code RowFormat} maps
 * values to columns, {@code Culling} keeps {@code MAX_ENTRIES}, {@code CacheTable} is {@code createcachetable}, and
 * {@code TableInspection} is what operators see.
 *
 * @since 0.1.0
 */
public class DatabaseCacheBackend extends AbstractCacheBackend {

	/** The size of the {@code cache_key} column, in characters. */
	static final int MAX_KEY_LENGTH = 255;

	private static final int MAX_KEYS_PER_STATEMENT = 1000;

	private final Jdbc jdbc;

	private final CacheTable table;

	private final RowFormat rows;

	private final Culling culling;

	private final TableInspection inspection;

	/**
	 * Create a backend reading and writing through one data source as it is (no pool of the cache's own), with the
	 * default serializer and {@link DatabaseOptions}.
	 * @param settings the settings; {@code location} is the table name
	 * @param dataSource the data source
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource dataSource) {
		this(settings, dataSource, dataSource, new ValueCodec(new DefaultValueSerializer()),
				new DatabaseOptions().poolSize(0));
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} is the table name
	 * @param writeDataSource where rows are written and the table is created (the application's; with a pool size
	 * above 0 and a Hikari pool, the cache opens its own connections with the same settings)
	 * @param readDataSource where {@code get}, {@code getMany} and {@code hasKey} read (a replica, or the same)
	 * @param codec turns values into stored bytes and back (integers are stored in their own column)
	 * @param options timeouts, pool, breaker and limits (read once, here)
	 * @throws InvalidCacheOptionException if an option is out of range
	 * @throws IllegalArgumentException if the table name is not valid ({@link #isValidTableName})
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource writeDataSource, DataSource readDataSource,
			ValueCodec codec, DatabaseOptions options) {
		super(settings);
		options.validate();
		String table = CacheTable.checkName(settings.location());
		Objects.requireNonNull(writeDataSource, "writeDataSource must not be null");
		Objects.requireNonNull(readDataSource, "readDataSource must not be null");
		Objects.requireNonNull(codec, "codec must not be null");
		this.jdbc = new Jdbc(settings.alias(), table, writeDataSource, readDataSource, options);
		this.table = new CacheTable(table, this.jdbc);
		this.rows = new RowFormat(codec, options.getMaxValueBytes(), settings.alias());
		this.culling = new Culling(this.jdbc, settings, options.getCullCheckInterval());
		this.inspection = new TableInspection(this.jdbc, table, settings, options.getSizeRefreshInterval());
	}

	/**
	 * Whether a name is acceptable as a cache table name: letters, digits, {@code _} and {@code $}, optionally
	 * schema-qualified ({@code schema.table}), at most 63 characters per part.
	 * @param name the name
	 * @return whether it is valid
	 */
	public static boolean isValidTableName(String name) {
		return CacheTable.isValidName(name);
	}

	@Override
	public String backendName() {
		return "database";
	}

	/**
	 * The table name, as configured.
	 * @return the table name
	 */
	public String table() {
		return this.table.name();
	}

	/**
	 * The data source rows are written to and the table is created on.
	 * @return the write data source
	 */
	public DataSource writeDataSource() {
		return this.jdbc.writeDataSource();
	}

	/**
	 * The data source {@code get}, {@code getMany} and {@code hasKey} read from.
	 * @return the read data source
	 */
	public DataSource readDataSource() {
		return this.jdbc.readDataSource();
	}

	/**
	 * The table's row count and bytes (counted at most once per {@code size-refresh-interval}), its keys, the
	 * connections and circuit breakers, and health: a probe of the table, "down" at once while a breaker is open.
	 * @return the inspection
	 */
	@Override
	public CacheInspection inspection() {
		return this.inspection;
	}

	// ---------------------------------------------------------------- createcachetable

	/**
	 * The statements that create this cache's table and its index on the write data source's product, as
	 * {@code createcachetable --dry-run} prints them.
	 * @return the statements, without terminating semicolons
	 * @throws CacheAccessException if the database cannot be reached or is not supported
	 */
	public List<String> createTableStatements() {
		return this.table.createStatements();
	}

	/**
	 * Whether this cache's table exists on the write data source.
	 * @return whether it exists
	 * @throws CacheAccessException if the database cannot be reached
	 */
	public boolean tableExists() {
		return this.table.exists();
	}

	/**
	 * Create this cache's table and its index on the write data source, in one transaction where the database
	 * has transactional DDL (PostgreSQL).
	 * @throws CacheAccessException if they cannot be created (for example, the table exists)
	 */
	public void createTable() {
		this.table.create();
		this.culling.tableCreated();
		this.inspection.tableCreated();
	}

	// ---------------------------------------------------------------- primitives

	/**
	 * Django's {@code get}: select the row; an expired one is a miss and is deleted.
	 */
	@Override
	protected @Nullable Object doGet(String key) {
		if (tooLong(key)) {
			return NOT_FOUND;
		}
		Sql sql = this.jdbc.sql();
		Row row = this.jdbc.read("get", (connection) -> selectRow(connection, sql, key));
		if (row == null) {
			return NOT_FOUND;
		}
		long now = now();
		if (row.expiredAt(now)) {
			deleteExpired(List.of(key), now);
			return NOT_FOUND;
		}
		return decode(key, row);
	}

	/**
	 * Django's {@code has_key}: one query for a row that has not expired.
	 */
	@Override
	protected boolean doHasKey(String key) {
		if (tooLong(key)) {
			return false;
		}
		Sql sql = this.jdbc.sql();
		long now = now();
		return this.jdbc.read("hasKey", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.hasKey)) {
				statement.setString(1, key);
				statement.setLong(2, now);
				try (ResultSet rs = statement.executeQuery()) {
					return rs.next();
				}
			}
		});
	}

	/**
	 * Django's {@code get_many}: one query ({@code IN}), expired rows deleted in one statement.
	 */
	@Override
	protected Map<String, @Nullable Object> doGetMany(List<MadeKey> madeKeys) {
		List<String> keys = madeKeys.stream().map(MadeKey::made).toList();
		Sql sql = this.jdbc.sql();
		Map<String, Row> found = new LinkedHashMap<>();
		// One query, unless the keys exceed what one IN list should carry.
		for (List<String> chunk : chunks(keys.stream().filter((key) -> !tooLong(key)).toList())) {
			String query = sql.selectMany(chunk.size());
			this.jdbc.read("getMany", (connection) -> {
				try (PreparedStatement statement = this.jdbc.prepare(connection, query)) {
					bindKeys(statement, chunk);
					try (ResultSet rs = statement.executeQuery()) {
						while (rs.next()) {
							found.put(rs.getString(1), RowFormat.read(rs, 2));
						}
					}
				}
				return null;
			});
		}
		long now = now();
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		List<String> expired = new ArrayList<>();
		for (String key : keys) {
			Row row = found.get(key);
			if (row == null) {
				continue;
			}
			if (row.expiredAt(now)) {
				expired.add(key);
				continue;
			}
			Object value = decode(key, row);
			if (value != NOT_FOUND) {
				values.put(key, value);
			}
		}
		if (!expired.isEmpty()) {
			deleteExpired(expired, now);
		}
		return values;
	}

	/**
	 * Django's {@code set}: cull if needed, then one upsert.
	 */
	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		Encoded encoded = this.rows.encode(value);
		checkLength(key);
		Sql sql = this.jdbc.sql();
		this.rows.checkSize(encoded, sql);
		cullIfNeeded(1);
		long expires = expiresAt(timeout);
		this.jdbc.upsert("set", (connection) -> upsertRow(connection, sql, key, encoded, expires));
	}

	/**
	 * Django's {@code add}: cull if needed, then store only where the key is absent or expired, with exactly one
	 * winner among concurrent callers.
	 */
	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		Encoded encoded = this.rows.encode(value);
		checkLength(key);
		Sql sql = this.jdbc.sql();
		this.rows.checkSize(encoded, sql);
		cullIfNeeded(1);
		long expires = expiresAt(timeout);
		long now = now();
		if (sql.dialect.hasConditionalUpsert()) {
			return this.jdbc.write("add", (connection) -> {
				try (PreparedStatement statement = this.jdbc.prepare(connection, sql.addIfAbsent)) {
					RowFormat.bind(statement, key, encoded, expires);
					statement.setLong(5, now);
					return statement.executeUpdate() > 0;
				}
			});
		}
		// Insert; if the key is taken, delete its row only if expired and insert again. The primary key lets exactly
		// one concurrent insert win. Inserting first keeps the common case to one statement, and avoids the
		// DELETE's gap lock on an absent key, on which concurrent InnoDB inserts deadlock.
		return this.jdbc.write("add", (connection) -> {
			if (insert(connection, sql, key, encoded, expires)) {
				return true;
			}
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.deleteIfExpired)) {
				statement.setString(1, key);
				statement.setLong(2, now);
				if (statement.executeUpdate() == 0) {
					return false;
				}
			}
			return insert(connection, sql, key, encoded, expires);
		});
	}

	/**
	 * Django's {@code touch}: a new expiry for a row that has not expired.
	 */
	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		if (tooLong(key)) {
			return false;
		}
		long expires = expiresAt(timeout);
		long now = now();
		Sql sql = this.jdbc.sql();
		return this.jdbc.write("touch", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.touch)) {
				statement.setLong(1, expires);
				statement.setString(2, key);
				statement.setLong(3, now);
				return statement.executeUpdate() > 0;
			}
		});
	}

	/**
	 * Django's {@code delete}.
	 */
	@Override
	protected boolean doDelete(String key) {
		if (tooLong(key)) {
			return false;
		}
		Sql sql = this.jdbc.sql();
		return this.jdbc.write("delete", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.delete)) {
				statement.setString(1, key);
				return statement.executeUpdate() > 0;
			}
		});
	}

	/**
	 * Django's {@code delete_many}: one statement ({@code IN}).
	 */
	@Override
	protected void doDeleteMany(List<String> keys) {
		Sql sql = this.jdbc.sql();
		for (List<String> chunk : chunks(keys.stream().filter((key) -> !tooLong(key)).toList())) {
			this.jdbc.write("deleteMany", (connection) -> {
				try (PreparedStatement statement = this.jdbc.prepare(connection, sql.deleteMany(chunk.size()))) {
					bindKeys(statement, chunk);
					return statement.executeUpdate();
				}
			});
		}
	}

	/**
	 * Django's {@code set_many}: one batch of upserts in one transaction; a value that cannot be stored fails only
	 * its key.
	 */
	@Override
	protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		Sql sql = this.jdbc.sql();
		// Sorted, so that concurrent batches lock rows in the same order and cannot deadlock each other.
		TreeMap<String, Encoded> batch = new TreeMap<>();
		for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
			try {
				Encoded encoded = this.rows.encode(entry.getValue());
				checkLength(entry.getKey());
				this.rows.checkSize(encoded, sql);
				batch.put(entry.getKey(), encoded);
			}
			catch (ValueNotStorableException ex) {
				this.logger.warn("Cache '" + alias() + "' could not store key '" + entry.getKey() + "': "
						+ ex.getMessage());
				failed.add(entry.getKey());
			}
			catch (CacheAccessException ex) {
				storeFailed("setMany", ex);
				failed.add(entry.getKey());
			}
		}
		if (batch.isEmpty()) {
			return failed;
		}
		cullIfNeeded(batch.size());
		long expires = expiresAt(timeout);
		try {
			// One transaction: one commit (one log flush on MariaDB) for the whole batch.
			this.jdbc.upsert("setMany", (connection) -> Jdbc.inTransaction(connection, (transaction) -> {
				try (PreparedStatement statement = this.jdbc.prepare(transaction, sql.upsert)) {
					for (Map.Entry<String, Encoded> row : batch.entrySet()) {
						RowFormat.bind(statement, row.getKey(), row.getValue(), expires);
						statement.addBatch();
					}
					return statement.executeBatch();
				}
			}));
		}
		catch (CacheAccessException ex) {
			storeFailed("setMany", ex);
			failed.addAll(batch.keySet());
		}
		return failed;
	}

	/**
	 * Django's {@code incr}, but atomic: one {@code UPDATE} of the integer column that keeps the expiry and the type
	 * ({@code Integer} while it fits). Other numbers are read, added to and written back, keeping the expiry.
	 */
	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		if (tooLong(key)) {
			throw notFound(rawKey);
		}
		if (delta == 0) {
			// An UPDATE that changes nothing reports 0 rows on some drivers; a read answers the same question.
			Object current = doGet(key);
			if (current == NOT_FOUND) {
				throw notFound(rawKey);
			}
			return addToNumber(current, 0, rawKey).longValue();
		}
		Sql sql = this.jdbc.sql();
		for (int attempt = 1;; attempt++) {
			long now = now();
			Row updated = this.jdbc.write("incr", (connection) -> increment(connection, sql, key, delta, now));
			if (updated != null) {
				Object value = decode(key, updated);
				if (value == NOT_FOUND) {
					// An unreadable row (now deleted) is a missing counter.
					throw notFound(rawKey);
				}
				return ((Number) value).longValue();
			}
			// Not updated: missing, expired, or not stored as an integer.
			Row row = this.jdbc.write("incr", (connection) -> selectRow(connection, sql, key));
			if (row == null || row.expiredAt(now)) {
				throw notFound(rawKey);
			}
			if (RowFormat.isNumber(row)) {
				if (attempt < Jdbc.MAX_ATTEMPTS) {
					// An integer was stored between the two statements: try the atomic path again.
					continue;
				}
				throw new CacheAccessException("incr of '" + key + "' kept racing with concurrent writes");
			}
			Object current = decode(key, row);
			if (current == NOT_FOUND) {
				throw notFound(rawKey);
			}
			// Not an Integer or Long: throws for non-integers; Short, Byte and BigInteger are updated by a plain
			// (not atomic) write that keeps the expiry.
			Number result = addToNumber(current, delta, rawKey);
			Encoded encoded = this.rows.encode(result);
			this.rows.checkSize(encoded, sql);
			this.jdbc.upsert("incr", (connection) -> upsertRow(connection, sql, key, encoded, row.expires()));
			return result.longValue();
		}
	}

	/**
	 * Django's {@code clear}, in bounded batches.
	 */
	@Override
	protected void doClear() {
		this.jdbc.deleteInBatches("clear", "1 = 1", null);
		this.culling.cleared();
	}

	@Override
	protected void doClose() {
		this.jdbc.close();
	}

	// ---------------------------------------------------------------- statements of the primitives

	private @Nullable Row selectRow(Connection connection, Sql sql, String key) throws SQLException {
		try (PreparedStatement statement = this.jdbc.prepare(connection, sql.select)) {
			statement.setString(1, key);
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? RowFormat.read(rs, 1) : null;
			}
		}
	}

	private int upsertRow(Connection connection, Sql sql, String key, Encoded encoded, long expires)
			throws SQLException {
		try (PreparedStatement statement = this.jdbc.prepare(connection, sql.upsert)) {
			RowFormat.bind(statement, key, encoded, expires);
			return statement.executeUpdate();
		}
	}

	/**
	 * The insert of {@code add}: {@code false} if the key is taken.
	 */
	private boolean insert(Connection connection, Sql sql, String key, Encoded encoded, long expires)
			throws SQLException {
		try (PreparedStatement statement = this.jdbc.prepare(connection, sql.insert)) {
			RowFormat.bind(statement, key, encoded, expires);
			return statement.executeUpdate() > 0;
		}
		catch (SQLException ex) {
			if (Jdbc.isDuplicateKey(ex)) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Add to the integer column, returning the updated row, or {@code null} if no integer row was there.
	 */
	private @Nullable Row increment(Connection connection, Sql sql, String key, long delta, long now)
			throws SQLException {
		if (sql.dialect.hasUpdateReturning()) {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.increment)) {
				bindIncrement(statement, key, delta, now);
				try (ResultSet rs = statement.executeQuery()) {
					return rs.next() ? new Row(rs.getBytes(2), rs.getLong(1), Long.MAX_VALUE) : null;
				}
			}
		}
		// UPDATE, then read the row it locked, in one transaction: no other write can come in between.
		return Jdbc.inTransaction(connection, (transaction) -> {
			try (PreparedStatement statement = this.jdbc.prepare(transaction, sql.increment)) {
				bindIncrement(statement, key, delta, now);
				if (statement.executeUpdate() == 0) {
					return null;
				}
			}
			return selectRow(transaction, sql, key);
		});
	}

	private static void bindIncrement(PreparedStatement statement, String key, long delta, long now)
			throws SQLException {
		statement.setLong(1, delta);
		statement.setBytes(2, RowFormat.LONG_VALUE);
		statement.setLong(3, delta);
		statement.setString(4, key);
		statement.setLong(5, now);
	}

	// ---------------------------------------------------------------- helpers

	/**
	 * Cull before a write as Django does; a cull that fails is reported and the write goes ahead.
	 */
	private void cullIfNeeded(int writes) {
		try {
			recordEvictions(this.culling.beforeWrite(writes));
		}
		catch (CacheAccessException ex) {
			storeFailed("cull", ex);
		}
	}

	/**
	 * Delete rows a read found expired, only if they still are (a concurrent rewrite is kept).
	 */
	private void deleteExpired(List<String> keys, long now) {
		Sql sql = this.jdbc.sql();
		try {
			for (List<String> chunk : chunks(keys)) {
				this.jdbc.write("delete", (connection) -> {
					try (PreparedStatement statement = this.jdbc.prepare(connection,
							sql.deleteManyExpired(chunk.size()))) {
						bindKeys(statement, chunk);
						statement.setLong(chunk.size() + 1, now);
						return statement.executeUpdate();
					}
				});
			}
		}
		catch (CacheAccessException ex) {
			// The read already answered "miss"; a row left behind is removed by the next read or cull.
			storeFailed("delete expired", ex);
		}
	}

	/**
	 * A row's value; a row that cannot be read is a miss, counted and logged, and is deleted.
	 */
	private @Nullable Object decode(String key, Row row) {
		try {
			return this.rows.decode(row);
		}
		catch (UnreadableValueException ex) {
			unreadableEntry(key, ex);
			try {
				doDelete(key);
			}
			catch (CacheAccessException deleteFailed) {
				storeFailed("delete", deleteFailed);
			}
			return NOT_FOUND;
		}
	}

	private static void bindKeys(PreparedStatement statement, List<String> keys) throws SQLException {
		for (int i = 0; i < keys.size(); i++) {
			statement.setString(i + 1, keys.get(i));
		}
	}

	/**
	 * Whether a key is longer than the {@code cache_key} column: it cannot be stored, so it is never there.
	 */
	private static boolean tooLong(String key) {
		return key.length() > MAX_KEY_LENGTH && key.codePointCount(0, key.length()) > MAX_KEY_LENGTH;
	}

	private static void checkLength(String key) {
		if (tooLong(key)) {
			throw new CacheAccessException("key longer than " + MAX_KEY_LENGTH
					+ " characters, the size of the cache_key column: " + key);
		}
	}

	private static List<List<String>> chunks(List<String> keys) {
		if (keys.size() <= MAX_KEYS_PER_STATEMENT) {
			return keys.isEmpty() ? Collections.emptyList() : List.of(keys);
		}
		List<List<String>> chunks = new ArrayList<>();
		for (int i = 0; i < keys.size(); i += MAX_KEYS_PER_STATEMENT) {
			chunks.add(keys.subList(i, Math.min(keys.size(), i + MAX_KEYS_PER_STATEMENT)));
		}
		return chunks;
	}

	private long now() {
		return settings().clock().millis();
	}

}
