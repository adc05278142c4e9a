package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TimeZone;
import java.util.stream.IntStream;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.core.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the database backend does beyond the shared contract, on H2, PostgreSQL and MariaDB.
 */
class DatabaseCacheBackendTests {

	private static final Instant START = Instant.parse("2026-03-08T06:50:00Z");

	private final MutableClock clock = new MutableClock(START);

	private final List<Runnable> cleanups = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.cleanups.forEach(Runnable::run);
	}

	private DatabaseCacheBackend backend(TestDatabase database, CacheSettings.Builder settings) {
		String table = TestDatabase.uniqueTable("dbcache");
		DatabaseCacheBackend backend = new DatabaseCacheBackend(settings.location(table).clock(this.clock).build(),
				database.dataSource());
		assertThat(backend.tableExists()).isFalse();
		backend.createTable();
		this.cleanups.add(() -> database.dropTable(table));
		this.cleanups.add(backend::close);
		return backend;
	}

	private DatabaseCacheBackend backend(TestDatabase database) {
		return backend(database, CacheSettings.builder("default"));
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void valuesKeepTheirJavaTypes(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("string", "guyan €清");
		values.put("int", 42);
		values.put("long", 42L);
		values.put("bool", true);
		values.put("double", 1.5d);
		values.put("list", new ArrayList<>(List.of(1, "two")));
		values.put("empty", "");
		values.forEach(cache::set);
		cache.set("bytes", new byte[] { 1, 2, 3 });
		cache.set("none", null);
		values.forEach((key, value) -> assertThat(cache.get(key)).isEqualTo(value).hasSameClassAs(value));
		assertThat((byte[]) cache.get("bytes")).containsExactly(1, 2, 3);
		assertThat(cache.getOrDefault("none", "dflt")).isNull();
		assertThat(cache.hasKey("none")).isTrue();
		assertThat(cache.getOrDefault("missing", "dflt")).isEqualTo("dflt");
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void expiryFollowsTheClockAndExpiredRowsAreRemoved(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		cache.set("k", "v", Timeout.seconds(3600));
		cache.set("forever", "v", Timeout.NEVER);
		cache.set("zero", "v", Timeout.seconds(0));
		assertThat(cache.get("zero")).isNull();
		this.clock.advance(Duration.ofMinutes(59));
		assertThat(cache.get("k")).isEqualTo("v");
		assertThat(cache.hasKey("k")).isTrue();
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(rows(database, cache)).isEqualTo(2);
		assertThat(cache.hasKey("k")).isFalse();
		assertThat(cache.get("k")).isNull();
		assertThat(cache.get("zero")).isNull();
		assertThat(rows(database, cache)).isEqualTo(1);
		this.clock.setInstant(Instant.parse("2100-01-01T00:00:00Z"));
		assertThat(cache.get("forever")).isEqualTo("v");
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void expiryIsEpochMillisWhateverTheJvmTimeZone(TestDatabase database) throws SQLException {
		DatabaseCacheBackend cache = backend(database);
		TimeZone original = TimeZone.getDefault();
		try {
			// 10 minutes before the US DST change of 2026-03-08, in New York, then read in Kolkata.
			TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
			cache.set("k", "v", Timeout.seconds(3600));
			TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
			this.clock.advance(Duration.ofMinutes(59));
			assertThat(cache.get("k")).isEqualTo("v");
			this.clock.advance(Duration.ofMinutes(2));
			assertThat(cache.get("k")).isNull();
		}
		finally {
			TimeZone.setDefault(original);
		}
		cache.set("k2", "v", Timeout.seconds(60));
		cache.set("never", "v", Timeout.NEVER);
		assertThat(expires(cache, "k2")).isEqualTo(this.clock.millis() + 60_000);
		assertThat(expires(cache, "never")).isEqualTo(Long.MAX_VALUE);
	}

	/**
	 * RELIABILITY §7 B6: a writer and a reader of one table in different JVM time zones (New York, Kolkata) and on
	 * database sessions in different time zones, 10 minutes before a DST change: the reader sees the entry until
	 * 60 minutes after it was written and not after, the stored expiry is exactly the epoch milliseconds, and an entry
	 * that never expires is read in 2100.
	 */
	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void writerAndReaderInDifferentJvmAndSessionTimeZonesAgreeOnExpiry(TestDatabase database) throws SQLException {
		String table = TestDatabase.uniqueTable("zones");
		String[] zones = switch (database) {
			case POSTGRESQL -> new String[] { "SET TIME ZONE 'America/New_York'", "SET TIME ZONE 'Asia/Kolkata'",
					"SELECT current_setting('TimeZone')" };
			case MARIADB -> new String[] { "SET time_zone = '-05:00'", "SET time_zone = '+05:30'",
					"SELECT @@session.time_zone" };
			case H2 -> new String[] { "SET TIME ZONE 'America/New_York'", "SET TIME ZONE 'Asia/Kolkata'",
					"SELECT EXTRACT(TIMEZONE_HOUR FROM CURRENT_TIMESTAMP)" };
		};
		TimeZone original = TimeZone.getDefault();
		try (com.zaxxer.hikari.HikariDataSource writerPool = database.newPoolWithInitSql(2, zones[0]);
				com.zaxxer.hikari.HikariDataSource readerPool = database.newPoolWithInitSql(2, zones[1])) {
			assertThat(sessionZone(writerPool, zones[2])).isNotEqualTo(sessionZone(readerPool, zones[2]));
			DatabaseCacheBackend writer = new DatabaseCacheBackend(
					CacheSettings.builder("writer").location(table).clock(this.clock).build(), writerPool);
			DatabaseCacheBackend reader = new DatabaseCacheBackend(
					CacheSettings.builder("reader").location(table).clock(this.clock).build(), readerPool);
			this.cleanups.add(() -> database.dropTable(table));
			writer.createTable();
			TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
			writer.set("k", "v", Timeout.seconds(3600));
			writer.set("never", "v", Timeout.NEVER);
			TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
			assertThat(storedExpiry(database, readerPool, table, ":1:k")).isEqualTo(START.toEpochMilli() + 3_600_000);
			this.clock.advance(Duration.ofMinutes(59));
			assertThat(reader.get("k")).isEqualTo("v");
			this.clock.advance(Duration.ofMinutes(2));
			assertThat(reader.get("k")).isNull();
			this.clock.setInstant(Instant.parse("2100-01-01T00:00:00Z"));
			assertThat(reader.get("never")).isEqualTo("v");
		}
		finally {
			TimeZone.setDefault(original);
		}
	}

	private static long storedExpiry(TestDatabase database, javax.sql.DataSource pool, String table, String key)
			throws SQLException {
		try (Connection connection = pool.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT " + q(database, "expires") + " FROM "
						+ q(database, table) + " WHERE " + q(database, "cache_key") + " = ?")) {
			statement.setString(1, key);
			try (ResultSet rs = statement.executeQuery()) {
				assertThat(rs.next()).isTrue();
				return rs.getLong(1);
			}
		}
	}

	private static String sessionZone(javax.sql.DataSource pool, String query) throws SQLException {
		try (Connection connection = pool.getConnection();
				PreparedStatement statement = connection.prepareStatement(query);
				ResultSet rs = statement.executeQuery()) {
			rs.next();
			return rs.getString(1);
		}
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void addStoresOnlyWhenAbsentOrExpired(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		assertThat(cache.add("k", "first", Timeout.seconds(10))).isTrue();
		assertThat(cache.add("k", "second")).isFalse();
		assertThat(cache.get("k")).isEqualTo("first");
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(cache.add("k", "third", Timeout.NEVER)).isTrue();
		assertThat(cache.get("k")).isEqualTo("third");
		assertThat(cache.add("k", "fourth", Timeout.NEVER)).isFalse();
		assertThat(cache.add("zero", "v", Timeout.seconds(0))).isTrue();
		assertThat(cache.add("zero", "v", Timeout.seconds(0))).isTrue();
		assertThat(cache.get("zero")).isNull();
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void incrIsAtomicSqlThatKeepsTypeAndExpiry(TestDatabase database) throws SQLException {
		DatabaseCacheBackend cache = backend(database);
		cache.set("int", 41, Timeout.seconds(100));
		long expires = expires(cache, "int");
		assertThat(cache.incr("int")).isEqualTo(42);
		assertThat(cache.get("int")).isEqualTo(42);
		assertThat(cache.decr("int", 50)).isEqualTo(-8);
		assertThat(cache.get("int")).isInstanceOf(Integer.class);
		assertThat(expires(cache, "int")).isEqualTo(expires);
		assertThat(cache.incr("int", 0)).isEqualTo(-8);
		cache.set("big", Integer.MAX_VALUE);
		assertThat(cache.incr("big")).isEqualTo(Integer.MAX_VALUE + 1L);
		assertThat(cache.get("big")).isEqualTo(Integer.MAX_VALUE + 1L);
		assertThat(cache.decr("big", 10)).isEqualTo(Integer.MAX_VALUE - 9L);
		assertThat(cache.get("big")).isInstanceOf(Long.class);
		cache.set("long", 5L);
		assertThat(cache.incr("long", 10)).isEqualTo(15);
		assertThat(cache.get("long")).isEqualTo(15L);
		cache.set("max", Long.MAX_VALUE);
		assertThatExceptionOfType(ArithmeticException.class).isThrownBy(() -> cache.incr("max"));
		assertThat(cache.get("max")).isEqualTo(Long.MAX_VALUE);
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("missing"))
			.withMessage("Key 'missing' not found");
		cache.set("text", "abc");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> cache.incr("text"));
		cache.set("short", (short) 3);
		assertThat(cache.incr("short")).isEqualTo(4);
		this.clock.advance(Duration.ofSeconds(100));
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("int"));
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void bulkOperations(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		Map<String, Object> values = new LinkedHashMap<>();
		IntStream.range(0, 150).forEach((i) -> values.put("k" + i, (i % 2 == 0) ? i : "v" + i));
		values.put("none", null);
		assertThat(cache.setMany(values, Timeout.seconds(10))).isEmpty();
		cache.set("short", "lived", Timeout.seconds(5));
		List<String> keys = new ArrayList<>(values.keySet());
		keys.add("missing");
		keys.add("short");
		this.clock.advance(Duration.ofSeconds(5));
		Map<String, Object> found = cache.getMany(keys);
		assertThat(found).isEqualTo(values);
		assertThat(found.get("k2")).isInstanceOf(Integer.class);
		cache.deleteMany(List.of("k0", "k1", "missing"));
		assertThat(cache.getMany(List.of("k0", "k1", "k2"))).containsOnlyKeys("k2");
		List<String> many = IntStream.range(0, 2500).mapToObj((i) -> "m" + i).toList();
		Map<String, Object> manyValues = new LinkedHashMap<>();
		many.forEach((key) -> manyValues.put(key, key));
		assertThat(cache.setMany(manyValues)).isEmpty();
		assertThat(cache.getMany(many)).hasSize(2500);
		cache.deleteMany(many);
		assertThat(cache.getMany(many)).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void touchAndDelete(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		cache.set("k", "v", Timeout.seconds(10));
		assertThat(cache.touch("k", Timeout.seconds(100))).isTrue();
		this.clock.advance(Duration.ofSeconds(50));
		assertThat(cache.get("k")).isEqualTo("v");
		assertThat(cache.touch("missing")).isFalse();
		assertThat(cache.delete("k")).isTrue();
		assertThat(cache.delete("k")).isFalse();
		cache.set("a", 1);
		cache.set("b", 2);
		cache.clear();
		assertThat(cache.getMany(List.of("a", "b"))).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void keysAreExactCaseAndSpaceSensitive(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		cache.set("Key", "upper");
		cache.set("key", "lower");
		cache.set("key ", "space");
		assertThat(cache.get("Key")).isEqualTo("upper");
		assertThat(cache.get("key")).isEqualTo("lower");
		assertThat(cache.get("key ")).isEqualTo("space");
		String tooLong = "x".repeat(300);
		cache.set(tooLong, "v");
		assertThat(cache.get(tooLong)).isNull();
		assertThat(cache.add(tooLong, "v")).isFalse();
		assertThat(cache.statistics().errors()).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void cullsAsDjangoWithoutCountingOnEverySet(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database, CacheSettings.builder("cull").maxEntries(30));
		IntStream.range(1, 50).forEach((i) -> cache.set("cull" + i, "value", Timeout.seconds(1000)));
		List<Integer> survivors = IntStream.range(1, 50).filter((i) -> cache.hasKey("cull" + i)).boxed().toList();
		List<Integer> expected = new ArrayList<>(IntStream.rangeClosed(3, 9).boxed().toList());
		expected.addAll(IntStream.rangeClosed(28, 49).boxed().toList());
		assertThat(survivors).isEqualTo(expected);
		assertThat(cache.statistics().evictions()).isEqualTo(20);
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void zeroCullFrequencyDeletesEverything(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database,
				CacheSettings.builder("zero_cull").maxEntries(30).cullFrequency(0));
		IntStream.range(1, 50).forEach((i) -> cache.set("cull" + i, "value", Timeout.seconds(1000)));
		List<Integer> survivors = IntStream.range(1, 50).filter((i) -> cache.hasKey("cull" + i)).boxed().toList();
		assertThat(survivors).isEqualTo(IntStream.rangeClosed(32, 49).boxed().toList());
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void cullDeletesExpiredRowsFirstInBatches(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database, CacheSettings.builder("big").maxEntries(3000));
		Map<String, Object> values = new LinkedHashMap<>();
		IntStream.range(0, 2500).forEach((i) -> values.put("old" + i, i));
		cache.setMany(values, Timeout.seconds(10));
		values.clear();
		IntStream.range(0, 600).forEach((i) -> values.put("new" + i, i));
		cache.setMany(values, Timeout.seconds(1000));
		this.clock.advance(Duration.ofSeconds(20));
		// 3100 rows > 3000: the 2500 expired ones go (in batches of 1000), the live ones stay.
		IntStream.range(0, 40).forEach((i) -> cache.set("more" + i, i));
		assertThat(rows(database, cache)).isEqualTo(640);
		assertThat(cache.get("new0")).isEqualTo(0);
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void corruptRowsAreMissesAndRemoved(TestDatabase database) throws SQLException {
		DatabaseCacheBackend cache = backend(database);
		cache.set("k", "v");
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("UPDATE " + quoted(database, cache)
						+ " SET " + q(database, "value") + " = ?")) {
			statement.setBytes(1, new byte[] { 99, 1, 2 });
			statement.executeUpdate();
		}
		assertThat(cache.get("k")).isNull();
		assertThat(rows(database, cache)).isZero();
		assertThat(cache.statistics().errors()).isEqualTo(1);
	}

	/**
	 * Rows keep the form they had before values went through the codec: an {@code Integer} is the marker
	 * {@code 'I'} with its number in {@code int_value}, a {@code Long} the marker {@code 'L'}, anything else the
	 * serializer's bytes with {@code int_value} NULL. Both directions: what is written, and rows planted in that form
	 * (as a previous version wrote them) read back with their types.
	 */
	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void storedRowsKeepTheirFormat(TestDatabase database) throws SQLException {
		DatabaseCacheBackend cache = backend(database);
		DefaultValueSerializer serializer = new DefaultValueSerializer();
		cache.set("int", 42);
		cache.set("long", 42L);
		cache.set("text", "guyan €清");
		cache.set("list", new ArrayList<>(List.of(1, "two")));
		assertThat(columns(database, cache, "int")).isEqualTo(new Columns(new byte[] { 'I' }, 42L));
		assertThat(columns(database, cache, "long")).isEqualTo(new Columns(new byte[] { 'L' }, 42L));
		assertThat(columns(database, cache, "text")).isEqualTo(new Columns(serializer.serialize("guyan €清"), null));
		assertThat(columns(database, cache, "list"))
			.isEqualTo(new Columns(serializer.serialize(new ArrayList<>(List.of(1, "two"))), null));

		plant(database, cache, "old-int", new byte[] { 'I' }, -7L);
		plant(database, cache, "old-long", new byte[] { 'L' }, 7L);
		plant(database, cache, "old-big", new byte[] { 'I' }, Integer.MAX_VALUE + 1L);
		plant(database, cache, "old-text", serializer.serialize("v"), null);
		assertThat(cache.get("old-int")).isEqualTo(-7).isInstanceOf(Integer.class);
		assertThat(cache.get("old-long")).isEqualTo(7L).isInstanceOf(Long.class);
		// An Integer row whose sum left the int range (the increment keeps 'I' only while it fits) reads as a Long.
		assertThat(cache.get("old-big")).isEqualTo(Integer.MAX_VALUE + 1L);
		assertThat(cache.get("old-text")).isEqualTo("v");
		assertThat(cache.incr("old-int", 10)).isEqualTo(3);
		assertThat(columns(database, cache, "old-int")).isEqualTo(new Columns(new byte[] { 'I' }, 3L));
	}

	private static Columns columns(TestDatabase database, DatabaseCacheBackend cache, String key)
			throws SQLException {
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT " + q(database, "value") + ", "
						+ q(database, "int_value") + " FROM " + quoted(database, cache) + " WHERE "
						+ q(database, "cache_key") + " = ?")) {
			statement.setString(1, cache.makeKey(key));
			try (ResultSet rs = statement.executeQuery()) {
				assertThat(rs.next()).isTrue();
				byte[] value = rs.getBytes(1);
				long number = rs.getLong(2);
				return new Columns(value, rs.wasNull() ? null : number);
			}
		}
	}

	private static void plant(TestDatabase database, DatabaseCacheBackend cache, String key, byte[] value,
			Long intValue) throws SQLException {
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("INSERT INTO " + quoted(database, cache)
						+ " VALUES (?, ?, ?, ?)")) {
			statement.setString(1, cache.makeKey(key));
			statement.setBytes(2, value);
			if (intValue != null) {
				statement.setLong(3, intValue);
			}
			else {
				statement.setNull(3, java.sql.Types.BIGINT);
			}
			statement.setLong(4, Long.MAX_VALUE);
			statement.executeUpdate();
		}
	}

	/**
	 * The stored columns of a row, compared by content.
	 */
	private record Columns(byte[] value, Long intValue) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Columns columns && Arrays.equals(this.value, columns.value)
					&& java.util.Objects.equals(this.intValue, columns.intValue);
		}

		@Override
		public int hashCode() {
			return Arrays.hashCode(this.value);
		}

		@Override
		public String toString() {
			return Arrays.toString(this.value) + " / " + this.intValue;
		}

	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void createTableStatementsNameTheTableAndIndex(TestDatabase database) {
		DatabaseCacheBackend cache = backend(database);
		List<String> statements = cache.createTableStatements();
		assertThat(statements).hasSize(2);
		assertThat(statements.get(0)).startsWith("CREATE TABLE " + quoted(database, cache) + " (")
			.contains("cache_key", "value", "int_value", "expires");
		assertThat(statements.get(1)).isEqualTo("CREATE INDEX " + q(database, cache.table() + "_expires") + " ON "
				+ quoted(database, cache) + " (" + q(database, "expires") + ")");
		assertThat(cache.tableExists()).isTrue();
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void oneStatementPerOperation(TestDatabase database) {
		DatabaseCacheBackend created = backend(database);
		CountingDataSource counting = new CountingDataSource(database.dataSource());
		DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("count").location(created.table()).clock(this.clock).build(), counting);
		cache.set("warm", 1);
		Map<String, Object> values = new LinkedHashMap<>();
		IntStream.range(0, 100).forEach((i) -> values.put("k" + i, "v" + i));
		counting.statements.clear();
		cache.setMany(values);
		assertThat(counting.statements).hasSize(1);
		counting.statements.clear();
		assertThat(cache.getMany(values.keySet())).hasSize(100);
		assertThat(counting.statements).hasSize(1);
		counting.statements.clear();
		assertThat(cache.get("k1")).isEqualTo("v1");
		assertThat(cache.incr("warm")).isEqualTo(2);
		cache.deleteMany(values.keySet());
		assertThat(cache.hasKey("k1")).isFalse();
		// get, incr (MariaDB/H2: UPDATE and the SELECT of the locked row, in one transaction), deleteMany, hasKey
		assertThat(counting.statements).hasSize((database == TestDatabase.POSTGRESQL) ? 4 : 5);
	}

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void doesNotCountRowsBeforeEverySet(TestDatabase database) {
		DatabaseCacheBackend created = backend(database);
		CountingDataSource counting = new CountingDataSource(database.dataSource());
		DatabaseCacheBackend cache = new DatabaseCacheBackend(CacheSettings.builder("count")
			.location(created.table())
			.clock(this.clock)
			.maxEntries(3000)
			.build(), counting);
		IntStream.range(0, 1000).forEach((i) -> cache.set("k" + (i % 200), i));
		// max-entries 3000: at most one count per 30 writes (cull-check interval), one per 300 while far below.
		assertThat(counting.count("COUNT(*)")).isBetween(1L, 5L);
		assertThat(counting.statements).hasSizeLessThan(1010);
	}

	@org.junit.jupiter.api.Test
	void unreachableDatabaseIsAMiss() {
		PGSimpleDataSource unreachable = new PGSimpleDataSource();
		unreachable.setURL("jdbc:postgresql://127.0.0.1:1/nothing");
		DatabaseCacheBackend cache = new DatabaseCacheBackend(CacheSettings.builder("down").location("t").build(),
				unreachable, unreachable, new ValueCodec(new DefaultValueSerializer()),
				new DatabaseOptions().queryTimeout(Duration.ofSeconds(1)).poolSize(0));
		cache.set("k", "v");
		assertThat(cache.get("k")).isNull();
		assertThat(cache.getOrDefault("k", "dflt")).isEqualTo("dflt");
		assertThat(cache.add("k", "v")).isFalse();
		assertThat(cache.hasKey("k")).isFalse();
		assertThat(cache.delete("k")).isFalse();
		assertThat(cache.touch("k")).isFalse();
		assertThat(cache.getMany(List.of("a", "b"))).isEmpty();
		assertThat(cache.setMany(Map.of("a", 1))).containsExactly("a");
		cache.deleteMany(List.of("a"));
		cache.clear();
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("k"));
		// One per call, plus the culls that could not count rows before writing.
		assertThat(cache.statistics().errors()).isGreaterThanOrEqualTo(11);
	}

	@org.junit.jupiter.api.Test
	void tableNamesAreValidated() {
		assertThat(DatabaseCacheBackend.isValidTableName("my_cache_table")).isTrue();
		assertThat(DatabaseCacheBackend.isValidTableName("cache.my_cache_table")).isTrue();
		assertThat(Arrays.asList("", "a b", "t;drop", "\"t\"", "a.b.c"))
			.noneMatch(DatabaseCacheBackend::isValidTableName);
	}

	private static String q(TestDatabase database, String name) {
		return (database == TestDatabase.MARIADB) ? "`" + name + "`" : "\"" + name + "\"";
	}

	private static String quoted(TestDatabase database, DatabaseCacheBackend cache) {
		return q(database, cache.table());
	}

	private static long rows(TestDatabase database, DatabaseCacheBackend cache) {
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT COUNT(*) FROM " + quoted(database, cache));
				ResultSet rs = statement.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private long expires(DatabaseCacheBackend cache, String key) throws SQLException {
		TestDatabase database = null;
		for (TestDatabase candidate : TestDatabase.values()) {
			if (candidate.dataSource() == cache.writeDataSource()) {
				database = candidate;
			}
		}
		try (Connection connection = cache.writeDataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT " + q(database, "expires")
						+ " FROM " + quoted(database, cache) + " WHERE " + q(database, "cache_key") + " = ?")) {
			statement.setString(1, cache.makeKey(key));
			try (ResultSet rs = statement.executeQuery()) {
				assertThat(rs.next()).isTrue();
				return rs.getLong(1);
			}
		}
	}

}
