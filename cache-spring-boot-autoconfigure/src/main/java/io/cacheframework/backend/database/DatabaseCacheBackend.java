package io.cacheframework.backend.database;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.CircuitBreaker;
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
 * <p>Transactions: every statement runs on its own connection (never the connection of a surrounding Spring
 * transaction) in auto-commit mode, with a query timeout, so a cache call never joins, blocks, rolls back or poisons
 * the caller's transaction. Cache writes are therefore not rolled back with the caller's work. Any database failure
 * is a {@link CacheAccessException}: a miss or a failed write.
 *
 * <p>Bounded calls ({@link Options}): when the application's data source is a Hikari pool the cache opens its own
 * small pool with the same settings, so it never waits for connections the application's transactions hold;
 * otherwise (or with a pool size of 0) the wait for a connection is bounded by the connect timeout. Every connection
 * gets a network timeout (the query timeout plus 250 ms), so a server that stops answering, where a cancel cannot
 * get through either, fails the statement instead of hanging it; on PostgreSQL the query timeout's cancel is sent
 * from a thread of the backend's own, so the caller never waits for it. After {@code timeout-threshold} unanswered
 * statements in a row a circuit breaker makes calls fast misses for {@code reconnect-delay}, then one call tries
 * again; health answers "down" at once meanwhile, and the size shown to meters and the endpoint is counted at most
 * once per {@code size-refresh-interval}.
 *
 * <p>Hostile rows: the stored length of a value is checked by the query itself, so a value over
 * {@code max-value-bytes} is never sent or allocated; it is a miss and is deleted, as is a number row whose value
 * column is not its one-byte type marker, and any value the serializer refuses. Numbers are a {@code bigint}
 * column: no numeric text is parsed.
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

	private final ConnectionSource writes;

	private final ConnectionSource reads;

	private final ValueSerializer serializer;

	private final int queryTimeoutSeconds;

	private final long maxValueBytes;

	private final int cullCheckInterval;

	private final int recountInterval;

	private final ReentrantLock cullLock = new ReentrantLock();

	private final AtomicLong writesSinceCount = new AtomicLong();

	private volatile long lastCount = -1;

	private volatile @Nullable Sql sql;

	/** PostgreSQL with pgjdbc: the query timeout is a cancel from our own thread, not the statement's. */
	private volatile boolean postgresCancel;

	private final long sizeRefreshNanos;

	private final ReentrantLock sizeLock = new ReentrantLock();

	private volatile @Nullable Size size;

	private volatile boolean sizeDue = true;

	private volatile long nextSizeCount;

	/**
	 * Create a backend reading and writing through one data source, with the default serializer and timeout. The
	 * data source is used as given: no pool of the cache's own (see {@link Options#setPoolSize(int)}).
	 * @param settings the settings; {@code location} is the table name
	 * @param dataSource the data source
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource dataSource) {
		this(settings, dataSource, dataSource, new DefaultValueSerializer(), DEFAULT_QUERY_TIMEOUT, 0);
	}

	/**
	 * Create a backend on the given data sources as they are (no pool of the cache's own), with the default
	 * {@link Options} otherwise.
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
		this(settings, writeDataSource, readDataSource, serializer,
				new Options().queryTimeout(queryTimeout).cullCheckInterval(cullCheckInterval).poolSize(0));
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} is the table name
	 * @param writeDataSource where rows are written and the table is created (the application's; with a pool size
	 * above 0 and a Hikari pool, the cache opens its own connections with the same settings)
	 * @param readDataSource where {@code get}, {@code getMany} and {@code hasKey} read (a replica, or the same)
	 * @param serializer turns values other than {@code Integer} and {@code Long} into bytes
	 * @param options timeouts, pool, breaker and limits (copied)
	 * @throws IllegalArgumentException if an option is out of range
	 */
	public DatabaseCacheBackend(CacheSettings settings, DataSource writeDataSource, DataSource readDataSource,
			ValueSerializer serializer, Options options) {
		super(settings);
		options.validate();
		this.table = checkTableName(settings.location());
		this.writeDataSource = unwrap(Objects.requireNonNull(writeDataSource, "writeDataSource must not be null"));
		this.readDataSource = unwrap(Objects.requireNonNull(readDataSource, "readDataSource must not be null"));
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		this.queryTimeoutSeconds = queryTimeoutSeconds(options.getQueryTimeout());
		this.maxValueBytes = options.getMaxValueBytes();
		this.sizeRefreshNanos = options.getSizeRefreshInterval().toNanos();
		int maxEntries = Math.max(0, settings.maxEntries());
		int cullCheckInterval = options.getCullCheckInterval();
		this.cullCheckInterval = (cullCheckInterval > 0) ? cullCheckInterval
				: Math.max(1, Math.min(10_000, maxEntries / 100));
		this.recountInterval = Math.max(10, Math.max(this.cullCheckInterval, maxEntries / 10));
		String poolName = "cache-" + settings.alias();
		this.writes = new ConnectionSource("table " + this.table, this.writeDataSource, poolName, options);
		if (this.readDataSource == this.writeDataSource) {
			this.reads = this.writes;
		}
		else {
			ConnectionSource reads;
			try {
				reads = new ConnectionSource("table " + this.table + " (read)", this.readDataSource,
						poolName + "-read", options);
			}
			catch (RuntimeException ex) {
				this.writes.close();
				throw ex;
			}
			this.reads = reads;
		}
	}

	static int queryTimeoutSeconds(Duration queryTimeout) {
		return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 1000, (queryTimeout.toMillis() + 999) / 1000));
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
		// A new table is cheap to count: the size need not wait for the refresh interval.
		this.sizeDue = true;
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
		Row row = execute(this.reads, "get", false, (connection) -> {
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
		return execute(this.reads, "hasKey", false, (connection) -> {
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
	protected Map<String, @Nullable Object> doGetMany(List<MadeKey> madeKeys) {
		List<String> keys = madeKeys.stream().map(MadeKey::made).toList();
		Sql sql = sql();
		Map<String, Row> rows = new LinkedHashMap<>();
		List<String> candidates = keys.stream().filter((key) -> !tooLong(key)).toList();
		// One query, unless the keys exceed what one IN list should carry.
		for (List<String> chunk : chunks(candidates)) {
			String query = sql.dialect.selectMany(sql.table, chunk.size(), sql.maxValueBytes);
			execute(this.reads, "getMany", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, query)) {
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
		execute(this.writes, "set", true, (connection) -> {
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
			return execute(this.writes, "add", false, (connection) -> {
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
		return execute(this.writes, "add", false, (connection) -> {
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
		return execute(this.writes, "touch", false, (connection) -> {
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
		return execute(this.writes, "delete", false, (connection) -> {
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
			execute(this.writes, "deleteMany", false, (connection) -> {
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
			execute(this.writes, "setMany", true, (connection) -> inTransaction(connection, (transaction) -> {
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
			Row updated = execute(this.writes, "incr", false, (connection) -> increment(connection, sql, key,
					delta, now));
			if (updated != null) {
				Object value = decode(key, updated);
				if (value == NOT_FOUND) {
					// An unreadable row (now deleted) is a missing counter.
					throw notFound(rawKey);
				}
				return ((Number) value).longValue();
			}
			// Not updated: missing, expired, or not stored as an integer.
			Row row = execute(this.writes, "incr", false, (connection) -> {
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
			if (row.intValue != null && isTypeMarker(row.value)) {
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
			execute(this.writes, "incr", true, (connection) -> {
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
		long count = execute(this.writes, "cull", false, (connection) -> {
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
				String boundary = execute(this.writes, "cull", false, (connection) -> {
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
		recordEvictions(deleted);
		return Math.max(0, remaining);
	}

	private long deleteInBatches(Sql sql, String operation, String condition, @Nullable Object parameter) {
		String statementSql = sql.dialect.limitedDelete(sql.table, condition);
		long total = 0;
		while (true) {
			int deleted = execute(this.writes, operation, false, (connection) -> {
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
				execute(this.writes, "delete", false, (connection) -> {
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
		byte[] value = row.value;
		if (value == null) {
			// Refused by its stored length (the query did not return it): planted, or written by other means.
			return unreadable(key, new UnreadableValueException("stored value is larger than max-value-bytes ("
					+ this.maxValueBytes + " bytes)"));
		}
		if (row.intValue != null) {
			if (!isTypeMarker(value)) {
				return unreadable(key, new UnreadableValueException(
						"a number whose value column is not a type marker but " + value.length + " bytes"));
			}
			long number = row.intValue;
			if (value[0] == INTEGER_MARKER && number == (int) number) {
				return (int) number;
			}
			return number;
		}
		try {
			return this.serializer.deserialize(value);
		}
		catch (UnreadableValueException ex) {
			return unreadable(key, ex);
		}
	}

	private static boolean isTypeMarker(byte @Nullable [] value) {
		return value != null && value.length == 1 && (value[0] == INTEGER_MARKER || value[0] == LONG_MARKER);
	}

	/**
	 * A row that cannot be read is a miss, counted and logged, and is deleted.
	 */
	private Object unreadable(String key, UnreadableValueException ex) {
		unreadableEntry(key, ex);
		try {
			doDelete(key);
		}
		catch (CacheAccessException deleteFailed) {
			storeFailed("delete", deleteFailed);
		}
		return NOT_FOUND;
	}

	private Encoded encode(@Nullable Object value) {
		if (value instanceof Integer number) {
			return new Encoded(INTEGER_VALUE, number.longValue());
		}
		if (value instanceof Long number) {
			return new Encoded(LONG_VALUE, number);
		}
		byte[] bytes = this.serializer.serialize(value);
		if (bytes.length > this.maxValueBytes) {
			throw new ValueNotStorableException("Cannot cache a value of " + bytes.length + " bytes serialized in cache '"
					+ alias() + "': the limit (max-value-bytes) is " + this.maxValueBytes);
		}
		return new Encoded(bytes, null);
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
		if (!this.postgresCancel) {
			statement.setQueryTimeout(this.queryTimeoutSeconds);
		}
		return statement;
	}

	/**
	 * Run on a connection of its own, in auto-commit mode: never the caller's transactional connection, so cache
	 * SQL never joins or aborts the caller's transaction. Deadlocks (and, for upserts, H2's and MariaDB's
	 * duplicate-key races) are retried; anything else becomes a {@link CacheAccessException}.
	 *
	 * <p>Bounded in time: getting the connection by the connect timeout, the statements by the query timeout and,
	 * when the server does not answer at all, by the network timeout on the socket. A statement that got no answer
	 * counts towards the source's circuit breaker; while it is open this fails at once.
	 */
	private <T> T execute(ConnectionSource source, String operation, boolean upsert, JdbcAction<T> action) {
		for (int attempt = 1;; attempt++) {
			source.checkAvailable(this.table);
			Connection connection;
			try {
				connection = source.acquire();
			}
			catch (SQLException ex) {
				noAnswer(source, ex);
				throw new CacheAccessException("Cache table '" + this.table + "': " + operation
						+ " got no connection within " + source.connectMillis() + " ms: " + ex.getMessage(), ex);
			}
			boolean reusable = true;
			try {
				source.setNetworkTimeout(connection);
				boolean autoCommit = connection.getAutoCommit();
				if (!autoCommit) {
					connection.setAutoCommit(true);
				}
				ScheduledFuture<?> cancel = this.postgresCancel ? source.startPostgresCancel(connection) : null;
				try {
					T result = action.run(connection);
					answered(source);
					return result;
				}
				finally {
					reusable = ConnectionSource.stopCancel(cancel);
					if (!autoCommit) {
						restoreManualCommit(connection);
					}
				}
			}
			catch (SQLException ex) {
				if (isNoAnswer(ex)) {
					noAnswer(source, ex);
				}
				else {
					answered(source);
				}
				if (isOverflow(ex)) {
					throw new ArithmeticException("incr of a cached Long overflows: " + ex.getMessage());
				}
				if (attempt < MAX_ATTEMPTS && (isDeadlock(ex) || (upsert && isDuplicateKey(ex)))) {
					continue;
				}
				throw new CacheAccessException("Cache table '" + this.table + "': " + operation + " failed: "
						+ ex.getMessage(), ex);
			}
			finally {
				source.release(connection, reusable);
			}
		}
	}

	private static void restoreManualCommit(Connection connection) {
		try {
			connection.setAutoCommit(false);
		}
		catch (SQLException ex) {
			// A broken connection: its pool discards it.
		}
	}

	/**
	 * Whether a failure means the database did not answer (it is down, hung, unreachable or too slow) rather than
	 * answering with an error of its own: a failed or timed-out connection, a query timeout, a socket error.
	 */
	static boolean isNoAnswer(SQLException ex) {
		if (ex instanceof SQLTransientConnectionException || ex instanceof SQLNonTransientConnectionException
				|| ex instanceof SQLRecoverableException || ex instanceof SQLTimeoutException) {
			return true;
		}
		String state = ex.getSQLState();
		// 08: connection exceptions; 57014: query cancelled (timeout); 57P0x: server shutting down or starting;
		// 70100: MariaDB's interrupted query (max_statement_time); HYT0x: ODBC-style timeouts.
		if (state != null && (state.startsWith("08") || state.equals("57014") || state.startsWith("57P")
				|| state.equals("70100") || state.startsWith("HYT"))) {
			return true;
		}
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException) {
				return true;
			}
		}
		return false;
	}

	private void noAnswer(ConnectionSource source, Exception ex) {
		if (source.failed()) {
			CircuitBreaker breaker = source.breaker();
			this.logger.warn("Cache '" + alias() + "' (database): " + source.component() + " did not answer "
					+ breaker.threshold() + " times in a row (last: " + ex.getMessage() + "); its calls are misses"
					+ " at once for " + breaker.retryIn().toMillis() + " ms, then one call tries again");
		}
	}

	private void answered(ConnectionSource source) {
		if (source.answered()) {
			this.logger.info("Cache '" + alias() + "' (database): " + source.component() + " answers again");
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
			// Not under a lock: while the database is down, callers must not queue behind one another's attempt.
			sql = new Sql(detectDialect(), this.table, this.maxValueBytes);
			this.postgresCancel = sql.dialect == Dialect.POSTGRESQL && ConnectionSource.postgresCancelAvailable();
			this.sql = sql;
		}
		return sql;
	}

	private Dialect detectDialect() {
		String[] product = execute(this.writes, "connect", false, (connection) -> {
			DatabaseMetaData metaData = connection.getMetaData();
			return new String[] { metaData.getDatabaseProductName(), metaData.getDatabaseProductVersion(),
					metaData.getURL() };
		});
		this.writes.learnUrl(product[2]);
		try {
			return Dialect.of(product[0], product[1], product[2]);
		}
		catch (IllegalArgumentException ex) {
			throw new CacheAccessException(ex.getMessage(), ex);
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
		return execute(this.reads, "key listing", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, query)) {
				statement.setLong(1, now());
				List<KeyInfo> keys = new ArrayList<>();
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						long expires = rows.getLong(3);
						keys.add(new KeyInfo(rows.getString(1), rows.getLong(2),
								(expires == Long.MAX_VALUE) ? null : Instant.ofEpochMilli(expires)));
					}
				}
				return keys;
			}
		});
	}

	/**
	 * The rows that have not expired, as last counted: the table is counted at most once per
	 * {@link Options#getSizeRefreshInterval() size refresh interval} (a count is a full scan on large PostgreSQL
	 * tables), by one caller at a time, never while the database is not answering; meanwhile the last count is
	 * returned.
	 * @throws CacheAccessException if the table has not been counted yet and cannot be now
	 */
	@Override
	public Long entryCount() {
		return size().entries;
	}

	/**
	 * The bytes of the value column over all rows, counted with {@link #entryCount()} (one scan for both).
	 * @throws CacheAccessException if the table has not been counted yet and cannot be now
	 */
	@Override
	public Long byteCount() {
		return size().bytes;
	}

	private Size size() {
		Size current = this.size;
		long now = System.nanoTime();
		if (!this.sizeDue && now - this.nextSizeCount < 0) {
			if (current != null) {
				return current;
			}
			throw new CacheAccessException("Cache table '" + this.table + "' could not be counted; next try in "
					+ Duration.ofNanos(this.nextSizeCount - now).toMillis() + " ms");
		}
		if (!this.sizeLock.tryLock()) {
			// Someone is counting: never queue a scrape behind a count.
			if (current != null) {
				return current;
			}
			throw new CacheAccessException("Cache table '" + this.table + "' is being counted");
		}
		try {
			this.sizeDue = false;
			this.nextSizeCount = System.nanoTime() + this.sizeRefreshNanos;
			Size counted = countRows();
			this.size = counted;
			return counted;
		}
		catch (CacheAccessException ex) {
			if (current != null) {
				return current;
			}
			throw ex;
		}
		finally {
			this.sizeLock.unlock();
		}
	}

	private Size countRows() {
		Sql sql = sql();
		long now = now();
		return execute(this.reads, "size count", false, (connection) -> {
			try (PreparedStatement statement = prepare(connection, sql.size)) {
				statement.setLong(1, now);
				try (ResultSet rows = statement.executeQuery()) {
					rows.next();
					return new Size(rows.getLong(1), rows.getLong(2), Instant.now());
				}
			}
		});
	}

	/**
	 * The table, culling settings, when its size was last counted, and for each data source where its connections
	 * come from ({@code "own pool"} or {@code "application DataSource"}) and its circuit breaker's state.
	 */
	@Override
	public Map<String, Object> inspectionDetails() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("table", this.table);
		details.put("maxEntries", settings().maxEntries());
		details.put("cullFrequency", settings().cullFrequency());
		Size counted = this.size;
		if (counted != null) {
			details.put("sizeCountedAt", counted.countedAt.toString());
		}
		details.put("connections", connections(this.writes));
		if (this.reads != this.writes) {
			details.put("readConnections", connections(this.reads));
		}
		return details;
	}

	private static Map<String, Object> connections(ConnectionSource source) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("source", source.describe());
		details.put("circuit", source.breaker().state().name().toLowerCase(java.util.Locale.ROOT));
		details.put("failuresInARow", source.breaker().consecutiveFailures());
		return details;
	}

	/**
	 * The table answers a probe query on the write data source (and on the read data source when it differs).
	 * While a data source's circuit breaker is open the answer is "down" at once, without trying to connect.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		List<ComponentHealth> health = new ArrayList<>();
		health.add(probe(this.writes));
		if (this.reads != this.writes) {
			health.add(probe(this.reads));
		}
		return health;
	}

	private ComponentHealth probe(ConnectionSource source) {
		CircuitBreaker breaker = source.breaker();
		if (breaker.isOpen()) {
			return ComponentHealth.down(source.component(), "not answering (" + breaker.consecutiveFailures()
					+ " failures in a row, for " + breaker.openFor().toMillis() + " ms); next try in "
					+ breaker.retryIn().toMillis() + " ms");
		}
		try {
			Sql sql = sql();
			execute(source, "health probe", false, (connection) -> {
				try (PreparedStatement statement = prepare(connection, sql.dialect.probe(sql.table))) {
					statement.executeQuery().close();
				}
				return null;
			});
			return ComponentHealth.up(source.component(),
					Map.of("database", sql.dialect.name().toLowerCase(java.util.Locale.ROOT), "connections",
							source.describe()));
		}
		catch (CacheAccessException ex) {
			return ComponentHealth.down(source.component(), ex.getMessage());
		}
	}

	@Override
	protected void doClose() {
		try {
			this.writes.close();
		}
		finally {
			if (this.reads != this.writes) {
				this.reads.close();
			}
		}
	}

	@FunctionalInterface
	private interface JdbcAction<T> {

		T run(Connection connection) throws SQLException;

	}

	private record Encoded(byte[] value, @Nullable Long intValue) {
	}

	private record Size(long entries, long bytes, Instant countedAt) {
	}

	/**
	 * A row as read; {@code value} is {@code null} when its stored length is over the limit.
	 */
	private record Row(byte @Nullable [] value, @Nullable Long intValue, long expires) {
	}

	/**
	 * The database backend's timeouts, connections, circuit breaker and limits (a mutable bean; the backend copies
	 * what it needs when it is built). The defaults are the {@code app.caches.<alias>.options.*} defaults.
	 *
	 * <p>A statement waits at most {@code connect-timeout} for a connection (plus 250 ms for its pool to check an
	 * idle one), then {@code query-timeout} (plus 250 ms for the server's own cancel to arrive): with the defaults
	 * 3.5 s at worst, and not at all once the database has not answered {@code timeout-threshold} times in a row.
	 */
	public static class Options {

		/**
		 * The timeout of each statement (whole seconds, at least 1): a statement that takes longer is cancelled and
		 * is a miss or a failed write. The socket of a server that does not answer at all times out 250 ms later.
		 */
		private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;

		/**
		 * The longest wait for a connection (at least 250 ms): of the cache's own pool, or of the application's
		 * data source when the cache has no pool of its own. Also the driver's connect and login timeout of the
		 * cache's own pool, unless its URL sets them.
		 */
		private Duration connectTimeout = Duration.ofSeconds(1);

		/**
		 * The size of the cache's own connection pool, built from the application's Hikari pool (same URL,
		 * credentials and settings, its own connections), so that a cache call never waits for connections the
		 * application's transactions hold. 0: use the application's data source as it is, with the wait for a
		 * connection bounded by {@code connect-timeout}. Without a Hikari data source the cache has no pool of its
		 * own whatever this says.
		 */
		private int poolSize = 4;

		/**
		 * Statements in a row that get no answer (timeouts, no connection) after which the database counts as down:
		 * calls are misses at once for {@code reconnect-delay}, then one call tries again.
		 */
		private int timeoutThreshold = 3;

		/**
		 * How long calls are misses at once after {@code timeout-threshold} unanswered statements, before one call
		 * tries again.
		 */
		private Duration reconnectDelay = Duration.ofSeconds(2);

		/**
		 * The size reported to the {@code cache.size} meter and the endpoint is counted (one scan of the table) at
		 * most once per this interval; 0 counts on every read.
		 */
		private Duration sizeRefreshInterval = Duration.ofSeconds(30);

		/**
		 * The largest serialized value stored, in bytes: a larger value is not cached (that set fails), and a row
		 * whose stored value is larger is a miss and deleted, refused by its stored length before it is read.
		 */
		private long maxValueBytes = 64L * 1024 * 1024;

		/**
		 * Count the rows (to cull) at most once per this many writes; 0 for {@code max-entries / 100}, between 1
		 * and 10000.
		 */
		private int cullCheckInterval;

		/**
		 * The statement timeout.
		 * @return the timeout
		 */
		public Duration getQueryTimeout() {
			return this.queryTimeout;
		}

		/**
		 * Set the statement timeout (rounded up to whole seconds, at least 1).
		 * @param queryTimeout the timeout
		 */
		public void setQueryTimeout(Duration queryTimeout) {
			this.queryTimeout = queryTimeout;
		}

		/**
		 * The longest wait for a connection.
		 * @return the timeout
		 */
		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		/**
		 * Set the longest wait for a connection (at least 250 ms).
		 * @param connectTimeout the timeout
		 */
		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		/**
		 * The size of the cache's own pool.
		 * @return the size, 0 for none
		 */
		public int getPoolSize() {
			return this.poolSize;
		}

		/**
		 * Set the size of the cache's own pool; 0 uses the application's data source as it is.
		 * @param poolSize the size
		 */
		public void setPoolSize(int poolSize) {
			this.poolSize = poolSize;
		}

		/**
		 * Unanswered statements in a row that open the circuit breaker.
		 * @return the threshold
		 */
		public int getTimeoutThreshold() {
			return this.timeoutThreshold;
		}

		/**
		 * Set the unanswered statements in a row that open the circuit breaker (at least 1).
		 * @param timeoutThreshold the threshold
		 */
		public void setTimeoutThreshold(int timeoutThreshold) {
			this.timeoutThreshold = timeoutThreshold;
		}

		/**
		 * How long the circuit breaker stays open before one call tries again.
		 * @return the delay
		 */
		public Duration getReconnectDelay() {
			return this.reconnectDelay;
		}

		/**
		 * Set how long the circuit breaker stays open (positive).
		 * @param reconnectDelay the delay
		 */
		public void setReconnectDelay(Duration reconnectDelay) {
			this.reconnectDelay = reconnectDelay;
		}

		/**
		 * How often the table's size may be counted.
		 * @return the interval
		 */
		public Duration getSizeRefreshInterval() {
			return this.sizeRefreshInterval;
		}

		/**
		 * Set how often the table's size may be counted (0: on every read).
		 * @param sizeRefreshInterval the interval
		 */
		public void setSizeRefreshInterval(Duration sizeRefreshInterval) {
			this.sizeRefreshInterval = sizeRefreshInterval;
		}

		/**
		 * The largest serialized value, in bytes.
		 * @return the limit
		 */
		public long getMaxValueBytes() {
			return this.maxValueBytes;
		}

		/**
		 * Set the largest serialized value, in bytes (1 to {@code Integer.MAX_VALUE - 8}).
		 * @param maxValueBytes the limit
		 */
		public void setMaxValueBytes(long maxValueBytes) {
			this.maxValueBytes = maxValueBytes;
		}

		/**
		 * The cull-check interval.
		 * @return writes between counts, 0 for {@code max-entries / 100}
		 */
		public int getCullCheckInterval() {
			return this.cullCheckInterval;
		}

		/**
		 * Set the cull-check interval.
		 * @param cullCheckInterval writes between counts, 0 for {@code max-entries / 100}
		 */
		public void setCullCheckInterval(int cullCheckInterval) {
			this.cullCheckInterval = cullCheckInterval;
		}

		/**
		 * Set the statement timeout.
		 * @param queryTimeout the timeout
		 * @return these options
		 */
		public Options queryTimeout(Duration queryTimeout) {
			setQueryTimeout(queryTimeout);
			return this;
		}

		/**
		 * Set the longest wait for a connection.
		 * @param connectTimeout the timeout
		 * @return these options
		 */
		public Options connectTimeout(Duration connectTimeout) {
			setConnectTimeout(connectTimeout);
			return this;
		}

		/**
		 * Set the size of the cache's own pool.
		 * @param poolSize the size, 0 for none
		 * @return these options
		 */
		public Options poolSize(int poolSize) {
			setPoolSize(poolSize);
			return this;
		}

		/**
		 * Set the circuit breaker's threshold.
		 * @param timeoutThreshold unanswered statements in a row
		 * @return these options
		 */
		public Options timeoutThreshold(int timeoutThreshold) {
			setTimeoutThreshold(timeoutThreshold);
			return this;
		}

		/**
		 * Set how long the circuit breaker stays open.
		 * @param reconnectDelay the delay
		 * @return these options
		 */
		public Options reconnectDelay(Duration reconnectDelay) {
			setReconnectDelay(reconnectDelay);
			return this;
		}

		/**
		 * Set how often the table's size may be counted.
		 * @param sizeRefreshInterval the interval
		 * @return these options
		 */
		public Options sizeRefreshInterval(Duration sizeRefreshInterval) {
			setSizeRefreshInterval(sizeRefreshInterval);
			return this;
		}

		/**
		 * Set the largest serialized value.
		 * @param maxValueBytes bytes
		 * @return these options
		 */
		public Options maxValueBytes(long maxValueBytes) {
			setMaxValueBytes(maxValueBytes);
			return this;
		}

		/**
		 * Set the cull-check interval.
		 * @param cullCheckInterval writes between counts, 0 for {@code max-entries / 100}
		 * @return these options
		 */
		public Options cullCheckInterval(int cullCheckInterval) {
			setCullCheckInterval(cullCheckInterval);
			return this;
		}

		/**
		 * Check every option, naming the first one out of range by its property name.
		 * @throws IllegalArgumentException with a message that starts with the option's name
		 */
		public void validate() {
			require(this.queryTimeout != null && this.queryTimeout.toMillis() > 0, "query-timeout",
					"must be positive, got " + this.queryTimeout);
			require(this.connectTimeout != null && this.connectTimeout.toMillis() >= 250, "connect-timeout",
					"must be at least 250ms, got " + this.connectTimeout);
			require(this.poolSize >= 0 && this.poolSize <= 1000, "pool-size",
					"must be between 0 and 1000, got " + this.poolSize);
			require(this.timeoutThreshold >= 1, "timeout-threshold", "must be at least 1, got " + this.timeoutThreshold);
			require(this.reconnectDelay != null && this.reconnectDelay.toMillis() > 0, "reconnect-delay",
					"must be positive, got " + this.reconnectDelay);
			require(this.sizeRefreshInterval != null && !this.sizeRefreshInterval.isNegative(),
					"size-refresh-interval", "must not be negative, got " + this.sizeRefreshInterval);
			require(this.maxValueBytes >= 1 && this.maxValueBytes <= Integer.MAX_VALUE - 8, "max-value-bytes",
					"must be between 1 and " + (Integer.MAX_VALUE - 8) + ", got " + this.maxValueBytes);
			require(this.cullCheckInterval >= 0, "cull-check-interval",
					"must not be negative, got " + this.cullCheckInterval);
		}

		private static void require(boolean valid, String option, String message) {
			if (!valid) {
				throw new IllegalArgumentException(option + ": " + message);
			}
		}

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

		final String size;

		final long maxValueBytes;

		Sql(Dialect dialect, String table, long maxValueBytes) {
			this.dialect = dialect;
			this.table = dialect.quote(table);
			this.maxValueBytes = maxValueBytes;
			this.select = dialect.select(this.table, maxValueBytes);
			this.size = dialect.size(this.table);
			this.hasKey = dialect.hasKey(this.table);
			this.upsert = dialect.upsert(this.table);
			this.addIfAbsent = dialect.hasConditionalUpsert() ? dialect.addIfAbsent(this.table) : "";
			this.insert = dialect.insert(this.table);
			this.deleteIfExpired = dialect.deleteIfExpired(this.table);
			this.touch = dialect.touch(this.table);
			this.delete = dialect.delete(this.table);
			this.increment = dialect.increment(this.table, maxValueBytes);
			this.count = dialect.count(this.table);
			this.keyAtOffset = dialect.keyAtOffset(this.table);
		}

	}

}
