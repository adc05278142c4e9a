package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

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
 * <p>Transactions: every statement runs on its own connection taken straight from the {@link DataSource} (never
 * the connection of a surrounding Spring transaction) in auto-commit mode, with a query timeout, so a cache call
 * never joins, blocks, rolls back or poisons the caller's transaction. Cache writes are therefore not rolled back
 * with the caller's work. Any database failure is a {@link CacheAccessException}: a miss or a failed write.
 *
 * <p>Culling keeps Django's meaning of {@code MAX_ENTRIES} and {@code CULL_FREQUENCY} (when more than the maximum
 * rows are present: delete the expired rows, then the {@code n / CULL_FREQUENCY} rows with the smallest keys; a
 * frequency of 0 deletes everything) without Django's {@code COUNT(*)} before every write: the backend counts only
 * when its own writes since the last count could have exceeded the maximum (and at least every so many writes, for
 * other writers), at most once per cull-check interval of writes, and deletes in bounded batches.
 *
 * @since 0.1.0
 */
public class DatabaseCacheBackend extends AbstractCacheBackend implements CacheInspection {

	/**
	 * The size of the {@code cache_key} column, in characters.
	 */
	public static final int MAX_KEY_LENGTH = 255;

	/**
	 * The default query timeout.
	 */
	public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);

	private static final Pattern TABLE_NAME = Pattern
		.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}(\\.[A-Za-z_][A-Za-z0-9_$]{0,62})?");

	private static final int MAX_KEYS_PER_STATEMENT = 1000;

	private static final int MAX_ATTEMPTS = 5;

	private static final int DELETE_BATCH_SIZE = 1000;

	private static final byte INTEGER_MARKER = 'I';

	private static final byte LONG_MARKER = 'L';

	private static final byte[] INTEGER_VALUE = { INTEGER_MARKER };

	private static final byte[] LONG_VALUE = { LONG_MARKER };

	private final String table;

	private final DataSource writeDataSource;

	private final DataSource readDataSource;

	private final ValueSerializer serializer;

	private final int queryTimeoutSeconds;

	private final int cullCheckInterval;

	private final int recountInterval;

	private final ReentrantLock cullLock = new ReentrantLock();

	private final AtomicLong writesSinceCount = new AtomicLong();

	private volatile long lastCount = -1;

	private volatile @Nullable Sql sql;

	/**
	 * Create a backend reading and writing through one data source, with the default serializer and timeout.
	 * @param settings the settings; {@code location} is the table name
	 * @param dataSource the data source
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource dataSource) {
		this(settings, dataSource, dataSource, new DefaultValueSerializer(), DEFAULT_QUERY_TIMEOUT, 0);
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} is the table name
	 * @param writeDataSource where rows are written and the table is created
	 * @param readDataSource where {@code get}, {@code getMany} and {@code hasKey} read (a replica, or the same)
	 * @param serializer turns values other than {@code Integer} and {@code Long} into bytes
	 * @param queryTimeout the timeout of each statement (whole seconds, at least one)
	 * @param cullCheckInterval count rows at most once per this many writes; 0 for {@code max-entries / 100},
	 * between 1 and 10000
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource writeDataSource, DataSource readDataSource,
			ValueSerializer serializer, Duration queryTimeout, int cullCheckInterval) {
		super(settings);
		this.table = checkTableName(settings.location());
		this.writeDataSource = unwrap(Objects.requireNonNull(writeDataSource, "writeDataSource must not be null"));
		this.readDataSource = unwrap(Objects.requireNonNull(readDataSource, "readDataSource must not be null"));
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
				(queryTimeout.toMillis() + 999) / 1000));
		int maxEntries = Math.max(0, settings.maxEntries());
		this.cullCheckInterval = (cullCheckInterval > 0) ? cullCheckInterval
				: Math.max(1, Math.min(10_000, maxEntries / 100));
		this.recountInterval = Math.max(10, Math.max(this.cullCheckInterval, maxEntries / 10));
	}

	/**
	 * Whether a name is acceptable as a cache table name: letters, digits, {@code _} and {@code $}, optionally
	 * schema-qualified ({@code schema.table}), at most 63 characters per part.
	 * @param name the name
	 * @return whether it is valid
	 */
	public static boolean isValidTableName(String name) {
		return TABLE_NAME.matcher(name).matches();
	}

	private static String checkTableName(String name) {
		if (!isValidTableName(name)) {
			throw new IllegalArgumentException("Invalid cache table name '" + name
					+ "': use letters, digits, '_' and '$', optionally qualified by a schema ('schema.table')");
		}
		return name;
	}

	private static DataSource unwrap(DataSource dataSource) {
		// A transaction-aware proxy would hand out the caller's transactional connection: use its target.
		if (dataSource instanceof TransactionAwareDataSourceProxy proxy && proxy.getTargetDataSource() != null) {
			return proxy.getTargetDataSource();
		}
		return dataSource;
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
		return this.table;
	}

	/**
	 * The data source rows are written to and the table is created on.
	 * @return the write data source
	 */
	public DataSource writeDataSource() {
		return this.writeDataSource;
	}

	/**
	 * The data source {@code get}, {@code getMany} and {@code hasKey} read from.
	 * @return the read data source
	 */
	public DataSource readDataSource() {
		return this.readDataSource;
	}

	// ---------------------------------------------------------------- createcachetable

	/**
	 * The statements that create this cache's table and its index on the write data source's product, as
	 * {@code createcachetable --dry-run} prints them.
	 * @return the statements, without terminating semicolons
	 * @throws CacheAccessException if the database cannot be reached or is not supported
	 */
	public List<String> createTableStatements() {
		Sql sql = sql();
		return sql.dialect.createTable(sql.table, sql.dialect.quote(indexName()));
	}

	/**
	 * Whether this cache's table exists on the write data source.
	 * @return whether it exists
	 * @throws CacheAccessException if the database cannot be reached
	 */
	public boolean tableExists() {
		Sql sql = sql();
		try (Connection connection = this.writeDataSource.getConnection()) {
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(this.queryTimeoutSeconds);
				statement.executeQuery(sql.dialect.probe(sql.table)).close();
				return true;
			}
			catch (SQLException ex) {
				if (!connection.getAutoCommit()) {
					connection.rollback();
				}
				return false;
			}
		}
		catch (SQLException ex) {
			throw new CacheAccessException("Cannot reach the database of cache table '" + this.table + "': "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * Create this cache's table and its index on the write data source, in one transaction where the database
	 * has transactional DDL (PostgreSQL).
	 * @throws CacheAccessException if they cannot be created (for example, the table exists)
	 */
	public void createTable() {
		List<String> statements = createTableStatements();
		try (Connection connection = this.writeDataSource.getConnection()) {
			inTransaction(connection, (transaction) -> {
				try (Statement statement = transaction.createStatement()) {
					for (String sql : statements) {
						statement.execute(sql);
					}
				}
				return null;
			});
		}
		catch (SQLException ex) {
			throw new CacheAccessException(ex.getMessage(), ex);
		}
		this.lastCount = 0;
	}

	private String indexName() {
		int dot = this.table.lastIndexOf('.');
		// The index lives in the table's schema; only PostgreSQL would reject a qualified index name.
		return ((dot >= 0) ? this.table.substring(dot + 1) : this.table) + "_expires";
	}

	// ---------------------------------------------------------------- primitives

	@Override
	protected @Nullable Object doGet(String key) {
		if (tooLong(key)) {
			return NOT_FOUND;
		}
		Sql sql = sql();
		Row row = execute(this.readDataSource, "get", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.select)) {
				statement.setString(1, key);
				try (ResultSet rs = statement.executeQuery()) {
					return rs.next() ? readRow(rs, 1) : null;
				}
			}
		});
		if (row == null) {
			return NOT_FOUND;
		}
		long now = now();
		if (row.expires <= now) {
			deleteExpired(List.of(key), now);
			return NOT_FOUND;
		}
		return decode(key, row);
	}

	@Override
	protected boolean doHasKey(String key) {
		if (tooLong(key)) {
			return false;
		}
		Sql sql = sql();
		long now = now();
		return execute(this.readDataSource, "hasKey", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.hasKey)) {
				statement.setString(1, key);
				statement.setLong(2, now);
				try (ResultSet rs = statement.executeQuery()) {
					return rs.next();
				}
			}
		});
	}

	@Override
	protected Map<String, @Nullable Object> doGetMany(List<String> keys) {
		Sql sql = sql();
		Map<String, Row> rows = new LinkedHashMap<>();
		List<String> candidates = keys.stream().filter((key) -> !tooLong(key)).toList();
		// One query, unless the keys exceed what one IN list should carry.
		for (List<String> chunk : chunks(candidates)) {
			execute(this.readDataSource, "getMany", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.dialect.selectMany(sql.table, chunk.size()))) {
					for (int i = 0; i < chunk.size(); i++) {
						statement.setString(i + 1, chunk.get(i));
					}
					try (ResultSet rs = statement.executeQuery()) {
						while (rs.next()) {
							rows.put(rs.getString(1), readRow(rs, 2));
						}
					}
				}
				return null;
			});
		}
		long now = now();
		Map<String, @Nullable Object> found = new LinkedHashMap<>();
		List<String> expired = new ArrayList<>();
		for (String key : keys) {
			Row row = rows.get(key);
			if (row == null) {
				continue;
			}
			if (row.expires <= now) {
				expired.add(key);
				continue;
			}
			Object value = decode(key, row);
			if (value != NOT_FOUND) {
				found.put(key, value);
			}
		}
		if (!expired.isEmpty()) {
			deleteExpired(expired, now);
		}
		return found;
	}

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		Encoded encoded = encode(value);
		checkLength(key);
		maybeCull(1);
		long expires = expiresAt(timeout);
		Sql sql = sql();
		execute(this.writeDataSource, "set", true, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.upsert)) {
				bindRow(statement, key, encoded, expires);
				return statement.executeUpdate();
			}
		});
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		Encoded encoded = encode(value);
		checkLength(key);
		maybeCull(1);
		long expires = expiresAt(timeout);
		long now = now();
		Sql sql = sql();
		if (sql.dialect.hasConditionalUpsert()) {
			return execute(this.writeDataSource, "add", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.addIfAbsent)) {
					bindRow(statement, key, encoded, expires);
					statement.setLong(5, now);
					return statement.executeUpdate() > 0;
				}
			});
		}
		// Insert; if the key is taken, delete its row only if expired and insert again. The primary key lets exactly
		// one concurrent insert win. Inserting first keeps the common case to one statement, and avoids the
		// DELETE's gap lock on an absent key, on which concurrent InnoDB inserts deadlock.
		return execute(this.writeDataSource, "add", false, (connection) -> {
			if (insert(connection, sql, key, encoded, expires)) {
				return true;
			}
			try (PreparedStatement statement = prepare(connection, sql.deleteIfExpired)) {
				statement.setString(1, key);
				statement.setLong(2, now);
				if (statement.executeUpdate() == 0) {
					return false;
				}
			}
			return insert(connection, sql, key, encoded, expires);
		});
	}

	private boolean insert(Connection connection, Sql sql, String key, Encoded encoded, long expires)
			throws SQLException {
		try (PreparedStatement statement = prepare(connection, sql.insert)) {
			bindRow(statement, key, encoded, expires);
			return statement.executeUpdate() > 0;
		}
		catch (SQLException ex) {
			if (isDuplicateKey(ex)) {
				return false;
			}
			throw ex;
		}
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		if (tooLong(key)) {
			return false;
		}
		long expires = expiresAt(timeout);
		long now = now();
		Sql sql = sql();
		return execute(this.writeDataSource, "touch", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.touch)) {
				statement.setLong(1, expires);
				statement.setString(2, key);
				statement.setLong(3, now);
				return statement.executeUpdate() > 0;
			}
		});
	}

	@Override
	protected boolean doDelete(String key) {
		if (tooLong(key)) {
			return false;
		}
		Sql sql = sql();
		return execute(this.writeDataSource, "delete", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.delete)) {
				statement.setString(1, key);
				return statement.executeUpdate() > 0;
			}
		});
	}

	@Override
	protected void doDeleteMany(List<String> keys) {
		Sql sql = sql();
		for (List<String> chunk : chunks(keys.stream().filter((key) -> !tooLong(key)).toList())) {
			execute(this.writeDataSource, "deleteMany", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.dialect.deleteMany(sql.table, chunk.size()))) {
					for (int i = 0; i < chunk.size(); i++) {
						statement.setString(i + 1, chunk.get(i));
					}
					return statement.executeUpdate();
				}
			});
		}
	}

	@Override
	protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
		List<String> failed = new ArrayList<>();
		// Sorted, so that concurrent batches lock rows in the same order and cannot deadlock each other.
		TreeMap<String, Encoded> rows = new TreeMap<>();
		for (Map.Entry<String, @Nullable Object> entry : values.entrySet()) {
			try {
				Encoded encoded = encode(entry.getValue());
				checkLength(entry.getKey());
				rows.put(entry.getKey(), encoded);
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
		if (rows.isEmpty()) {
			return failed;
		}
		maybeCull(rows.size());
		long expires = expiresAt(timeout);
		Sql sql = sql();
		try {
			// One transaction: one commit (one log flush on MariaDB) for the whole batch.
			execute(this.writeDataSource, "setMany", true, (connection) -> inTransaction(connection, (transaction) -> {
				try (PreparedStatement statement = prepare(transaction, sql.upsert)) {
					for (Map.Entry<String, Encoded> row : rows.entrySet()) {
						bindRow(statement, row.getKey(), row.getValue(), expires);
						statement.addBatch();
					}
					return statement.executeBatch();
				}
			}));
		}
		catch (CacheAccessException ex) {
			storeFailed("setMany", ex);
			failed.addAll(rows.keySet());
		}
		return failed;
	}

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
		Sql sql = sql();
		for (int attempt = 1;; attempt++) {
			long now = now();
			Row updated = execute(this.writeDataSource, "incr", false, (connection) -> increment(connection, sql, key,
					delta, now));
			if (updated != null) {
				Object value = decode(key, updated);
				return ((Number) value).longValue();
			}
			// Not updated: missing, expired, or not stored as an integer.
			Row row = execute(this.writeDataSource, "incr", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.select)) {
					statement.setString(1, key);
					try (ResultSet rs = statement.executeQuery()) {
						return rs.next() ? readRow(rs, 1) : null;
					}
				}
			});
			if (row == null || row.expires <= now) {
				throw notFound(rawKey);
			}
			if (row.intValue != null) {
				if (attempt < MAX_ATTEMPTS) {
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
			Encoded encoded = encode(result);
			execute(this.writeDataSource, "incr", true, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.upsert)) {
					bindRow(statement, key, encoded, row.expires);
					return statement.executeUpdate();
				}
			});
			return result.longValue();
		}
	}

	private @Nullable Row increment(Connection connection, Sql sql, String key, long delta, long now)
			throws SQLException {
		if (sql.dialect.hasUpdateReturning()) {
			try (PreparedStatement statement = prepare(connection, sql.increment)) {
				bindIncrement(statement, key, delta, now);
				try (ResultSet rs = statement.executeQuery()) {
					return rs.next() ? new Row(rs.getBytes(2), rs.getLong(1), Long.MAX_VALUE) : null;
				}
			}
		}
		// UPDATE, then read the row it locked, in one transaction: no other write can come in between.
		return inTransaction(connection, (transaction) -> {
			try (PreparedStatement statement = prepare(transaction, sql.increment)) {
				bindIncrement(statement, key, delta, now);
				if (statement.executeUpdate() == 0) {
					return null;
				}
			}
			try (PreparedStatement select = prepare(transaction, sql.select)) {
				select.setString(1, key);
				try (ResultSet rs = select.executeQuery()) {
					return rs.next() ? readRow(rs, 1) : null;
				}
			}
		});
	}

	/**
	 * Run an action in one transaction: commit if it returns, roll back if it throws, and leave the connection's
	 * auto-commit mode as it was.
	 */
	private static <T> @Nullable T inTransaction(Connection connection, JdbcAction<T> action) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(false);
		try {
			T result = action.run(connection);
			connection.commit();
			return result;
		}
		catch (SQLException | RuntimeException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setAutoCommit(autoCommit);
		}
	}

	private static void bindIncrement(PreparedStatement statement, String key, long delta, long now)
			throws SQLException {
		statement.setLong(1, delta);
		statement.setBytes(2, LONG_VALUE);
		statement.setLong(3, delta);
		statement.setString(4, key);
		statement.setLong(5, now);
	}

	@Override
	protected void doClear() {
		Sql sql = sql();
		deleteInBatches(sql, "clear", "1 = 1", null);
		this.lastCount = 0;
		this.writesSinceCount.set(0);
	}

	// ---------------------------------------------------------------- culling

	/**
	 * Django culls before every write when {@code COUNT(*) > MAX_ENTRIES}. Counting is a full scan on large
	 * PostgreSQL tables, so count only when the rows this backend wrote since the last count could have taken the
	 * table over the maximum, or every {@code recountInterval} writes (for other writers), and never more often
	 * than every {@code cullCheckInterval} writes. With an interval of 1 this culls exactly as Django does.
	 */
	private void maybeCull(int writes) {
		try {
			long since = this.writesSinceCount.get();
			long known = this.lastCount;
			int maxEntries = settings().maxEntries();
			boolean mayExceed = known < 0 || known + since > maxEntries;
			if ((mayExceed || since >= this.recountInterval) && (known < 0 || since >= this.cullCheckInterval)
					&& this.cullLock.tryLock()) {
				try {
					this.writesSinceCount.set(0);
					this.lastCount = cull(maxEntries);
				}
				catch (CacheAccessException ex) {
					this.lastCount = -1;
					storeFailed("cull", ex);
				}
				finally {
					this.cullLock.unlock();
				}
			}
		}
		finally {
			this.writesSinceCount.addAndGet(writes);
		}
	}

	/**
	 * Django's {@code _cull}, in bounded batches.
	 * @return the rows left
	 */
	private long cull(int maxEntries) {
		Sql sql = sql();
		long count = execute(this.writeDataSource, "cull", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.count);
					ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		});
		if (count <= maxEntries) {
			return count;
		}
		int cullFrequency = settings().cullFrequency();
		long deleted;
		long remaining;
		if (cullFrequency == 0) {
			deleted = deleteInBatches(sql, "cull", "1 = 1", null);
			remaining = 0;
		}
		else {
			deleted = deleteInBatches(sql, "cull", sql.dialect.expiredCondition(), now());
			remaining = count - deleted;
			if (remaining > maxEntries) {
				long offset = remaining / cullFrequency;
				String boundary = execute(this.writeDataSource, "cull", false, (connection) -> {
					try (PreparedStatement statement = prepare(connection, sql.keyAtOffset)) {
						statement.setLong(1, offset);
						try (ResultSet rs = statement.executeQuery()) {
							return rs.next() ? rs.getString(1) : null;
						}
					}
				});
				if (boundary != null) {
					long smallest = deleteInBatches(sql, "cull", sql.dialect.keyBeforeCondition(), boundary);
					deleted += smallest;
					remaining -= smallest;
				}
			}
		}
		statistics().recordEvictions(deleted);
		return Math.max(0, remaining);
	}

	private long deleteInBatches(Sql sql, String operation, String condition, @Nullable Object parameter) {
		String statementSql = sql.dialect.limitedDelete(sql.table, condition);
		long total = 0;
		while (true) {
			int deleted = execute(this.writeDataSource, operation, false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, statementSql)) {
					int index = 1;
					if (parameter instanceof Long number) {
						statement.setLong(index++, number);
					}
					else if (parameter != null) {
						statement.setString(index++, (String) parameter);
					}
					statement.setInt(index, DELETE_BATCH_SIZE);
					return statement.executeUpdate();
				}
			});
			total += deleted;
			if (deleted < DELETE_BATCH_SIZE) {
				return total;
			}
		}
	}

	// ---------------------------------------------------------------- helpers

	private void deleteExpired(List<String> keys, long now) {
		Sql sql = sql();
		try {
			for (List<String> chunk : chunks(keys)) {
				execute(this.writeDataSource, "delete", false, (connection) -> {
					String statementSql = sql.dialect.deleteMany(sql.table, chunk.size()) + " AND "
							+ sql.dialect.expiredCondition();
					try (PreparedStatement statement = prepare(connection, statementSql)) {
						for (int i = 0; i < chunk.size(); i++) {
							statement.setString(i + 1, chunk.get(i));
						}
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

	private Object decode(String key, Row row) {
		if (row.intValue != null) {
			long number = row.intValue;
			if (row.value.length == 1 && row.value[0] == INTEGER_MARKER && number == (int) number) {
				return (int) number;
			}
			return number;
		}
		try {
			return this.serializer.deserialize(row.value);
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

	private Encoded encode(@Nullable Object value) {
		if (value instanceof Integer number) {
			return new Encoded(INTEGER_VALUE, number.longValue());
		}
		if (value instanceof Long number) {
			return new Encoded(LONG_VALUE, number);
		}
		return new Encoded(this.serializer.serialize(value), null);
	}

	private static void bindRow(PreparedStatement statement, String key, Encoded encoded, long expires)
			throws SQLException {
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

	private static Row readRow(ResultSet rs, int first) throws SQLException {
		byte[] value = rs.getBytes(first);
		long number = rs.getLong(first + 1);
		Long intValue = rs.wasNull() ? null : number;
		return new Row(value, intValue, rs.getLong(first + 2));
	}

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

	private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql);
		statement.setQueryTimeout(this.queryTimeoutSeconds);
		return statement;
	}

	/**
	 * Run on a connection of its own, in auto-commit mode: never the caller's transactional connection, so cache
	 * SQL never joins or aborts the caller's transaction. Deadlocks (and, for upserts, H2's and MariaDB's
	 * duplicate-key races) are retried; anything else becomes a {@link CacheAccessException}.
	 */
	private <T> T execute(DataSource dataSource, String operation, boolean upsert, JdbcAction<T> action) {
		for (int attempt = 1;; attempt++) {
			try (Connection connection = dataSource.getConnection()) {
				boolean autoCommit = connection.getAutoCommit();
				if (!autoCommit) {
					connection.setAutoCommit(true);
				}
				try {
					return action.run(connection);
				}
				finally {
					if (!autoCommit) {
						connection.setAutoCommit(false);
					}
				}
			}
			catch (SQLException ex) {
				if (isOverflow(ex)) {
					throw new ArithmeticException("incr of a cached Long overflows: " + ex.getMessage());
				}
				if (attempt < MAX_ATTEMPTS && (isDeadlock(ex) || (upsert && isDuplicateKey(ex)))) {
					continue;
				}
				throw new CacheAccessException("Cache table '" + this.table + "': " + operation + " failed: "
						+ ex.getMessage(), ex);
			}
		}
	}

	private static boolean isDuplicateKey(SQLException ex) {
		String state = ex.getSQLState();
		// 23505: PostgreSQL and H2; 1062: MySQL/MariaDB; 90131: H2's concurrent MERGE of one key.
		return "23505".equals(state) || ex.getErrorCode() == 1062 || ex.getErrorCode() == 90131;
	}

	private static boolean isDeadlock(SQLException ex) {
		String state = ex.getSQLState();
		return "40001".equals(state) || "40P01".equals(state) || ex.getErrorCode() == 1213
				|| ex.getErrorCode() == 1205;
	}

	private static boolean isOverflow(SQLException ex) {
		return "22003".equals(ex.getSQLState()) || ex.getErrorCode() == 1690;
	}

	private Sql sql() {
		Sql sql = this.sql;
		if (sql == null) {
			synchronized (this) {
				sql = this.sql;
				if (sql == null) {
					sql = new Sql(detectDialect(), this.table);
					this.sql = sql;
				}
			}
		}
		return sql;
	}

	private Dialect detectDialect() {
		try (Connection connection = this.writeDataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			try {
				return Dialect.of(metaData.getDatabaseProductName(), metaData.getDatabaseProductVersion(),
						metaData.getURL());
			}
			catch (IllegalArgumentException ex) {
				throw new CacheAccessException(ex.getMessage(), ex);
			}
		}
		catch (SQLException ex) {
			throw new CacheAccessException("Cache table '" + this.table + "': cannot reach the database: "
					+ ex.getMessage(), ex);
		}
	}

	// ---------------------------------------------------------------- inspection (Actuator)

	/**
	 * {@code SELECT cache_key, OCTET_LENGTH(value), expires ... WHERE expires > now ORDER BY cache_key LIMIT n} on the
	 * read data source. The size is the stored value column (one type-marker byte for an {@code Integer} or
	 * {@code Long}, whose number is in {@code int_value}).
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		Sql sql = sql();
		String query = "SELECT " + sql.dialect.col("cache_key") + ", OCTET_LENGTH(" + sql.dialect.col("value") + "), "
				+ sql.dialect.col("expires") + " FROM " + sql.table + " WHERE " + sql.dialect.col("expires")
				+ " > ? ORDER BY " + sql.dialect.col("cache_key") + " LIMIT " + Math.max(1, limit);
		return execute(this.readDataSource, "key listing", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, query)) {
				statement.setLong(1, now());
				List<KeyInfo> keys = new ArrayList<>();
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						long expires = rows.getLong(3);
						keys.add(new KeyInfo(rows.getString(1), rows.getLong(2),
								(expires == Long.MAX_VALUE) ? null : java.time.Instant.ofEpochMilli(expires)));
					}
				}
				return keys;
			}
		});
	}

	/**
	 * The rows that have not expired.
	 */
	@Override
	public Long entryCount() {
		Sql sql = sql();
		return aggregate("SELECT COUNT(*) FROM " + sql.table + " WHERE " + sql.dialect.col("expires") + " > ?", true);
	}

	/**
	 * The bytes of the value column over all rows.
	 */
	@Override
	public Long byteCount() {
		Sql sql = sql();
		return aggregate("SELECT SUM(OCTET_LENGTH(" + sql.dialect.col("value") + ")) FROM " + sql.table, false);
	}

	@Override
	public Map<String, Object> inspectionDetails() {
		return Map.of("table", this.table, "maxEntries", settings().maxEntries(), "cullFrequency",
				settings().cullFrequency());
	}

	/**
	 * The table answers a probe query on the write data source (and on the read data source when it differs).
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		List<ComponentHealth> health = new ArrayList<>();
		health.add(probe("table " + this.table, this.writeDataSource));
		if (this.readDataSource != this.writeDataSource) {
			health.add(probe("table " + this.table + " (read)", this.readDataSource));
		}
		return health;
	}

	private ComponentHealth probe(String component, DataSource dataSource) {
		try {
			Sql sql = sql();
			execute(dataSource, "health probe", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.dialect.probe(sql.table))) {
					statement.executeQuery().close();
				}
				return null;
			});
			return ComponentHealth.up(component, Map.of("database", sql.dialect.name().toLowerCase(java.util.Locale.ROOT)));
		}
		catch (CacheAccessException ex) {
			return ComponentHealth.down(component, ex.getMessage());
		}
	}

	private Long aggregate(String query, boolean bindNow) {
		return execute(this.readDataSource, "inspection", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, query)) {
				if (bindNow) {
					statement.setLong(1, now());
				}
				try (ResultSet rows = statement.executeQuery()) {
					return rows.next() ? rows.getLong(1) : 0L;
				}
			}
		});
	}

	@FunctionalInterface
	private interface JdbcAction<T> {

		T run(Connection connection) throws SQLException;

	}

	private record Encoded(byte[] value, @Nullable Long intValue) {
	}

	private record Row(byte[] value, @Nullable Long intValue, long expires) {
	}

	/**
	 * The statements of one dialect for this table, built once.
	 */
	private static final class Sql {

		final Dialect dialect;

		final String table;

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

		Sql(Dialect dialect, String table) {
			this.dialect = dialect;
			this.table = dialect.quote(table);
			this.select = dialect.select(this.table);
			this.hasKey = dialect.hasKey(this.table);
			this.upsert = dialect.upsert(this.table);
			this.addIfAbsent = dialect.hasConditionalUpsert() ? dialect.addIfAbsent(this.table) : "";
			this.insert = dialect.insert(this.table);
			this.deleteIfExpired = dialect.deleteIfExpired(this.table);
			this.touch = dialect.touch(this.table);
			this.delete = dialect.delete(this.table);
			this.increment = dialect.increment(this.table);
			this.count = dialect.count(this.table);
			this.keyAtOffset = dialect.keyAtOffset(this.table);
		}

	}

}
