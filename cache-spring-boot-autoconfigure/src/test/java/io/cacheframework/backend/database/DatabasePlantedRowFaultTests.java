package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Rows planted in the cache table by whoever can write to it (RELIABILITY F2 for the database): a value far over
 * {@code max-value-bytes}, and numbers whose value column is not the one-byte type marker (a huge one, a small one).
 * Each is a miss (for {@code incr}: a missing counter) and is deleted, and no result set ever hands the backend a
 * {@code byte[]} over the limit: the stored length is checked by the query, so the value is neither sent nor
 * allocated. Before the fix the huge value was read whole and the numbers were served as hits. Numbers themselves
 * are a {@code bigint} column the driver reads as a {@code long}: no numeric text is parsed anywhere.
 */
class DatabasePlantedRowFaultTests {

	private static final int LIMIT = 1024 * 1024;

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void plantedRowsAreMissesDeletedUnread(TestDatabase database) throws SQLException {
		String table = TestDatabase.uniqueTable("planted");
		CountingDataSource counting = new CountingDataSource(database.dataSource());
		DatabaseOptions options = new DatabaseOptions().poolSize(0).maxValueBytes(LIMIT);
		try (DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("default").location(table).build(), counting, counting,
				new ValueCodec(new DefaultValueSerializer()), options)) {
			cache.createTable();
			cache.setMany(Map.of("big", "x", "big-many", "x", "ok", "fine", "number", 5, "counter", 7, "small", 9));
			plant(database, table, ":1:big", 8 * LIMIT);
			plant(database, table, ":1:big-many", 8 * LIMIT);
			plant(database, table, ":1:number", 2 * LIMIT);
			plant(database, table, ":1:counter", 2 * LIMIT);
			plant(database, table, ":1:small", 100);
			counting.largestBytesRead.set(0);

			assertThat(cache.get("big")).isNull();
			assertThat(cache.getMany(List.of("big-many", "ok"))).isEqualTo(Map.of("ok", "fine"));
			assertThat(cache.get("number")).isNull();
			assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(() -> cache.incr("counter"));
			assertThat(cache.get("small")).isNull();

			assertThat(counting.largestBytesRead.get()).isLessThanOrEqualTo(LIMIT);
			assertThat(keys(database, table)).containsExactly(":1:ok");
			assertThat(cache.statistics().errors()).isGreaterThanOrEqualTo(5);

			// The write side holds the same limit: the value over it fails its own call, nothing else.
			byte[] tooBig = new byte[LIMIT + 1];
			assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> cache.set("huge", tooBig))
				.withMessageContaining("max-value-bytes");
			Map<String, Object> batch = new LinkedHashMap<>();
			batch.put("huge", tooBig);
			batch.put("fits", new byte[LIMIT - 1]);
			assertThat(cache.setMany(batch)).containsExactly("huge");
			assertThat((byte[]) cache.get("fits")).hasSize(LIMIT - 1);
			assertThat(cache.hasKey("huge")).isFalse();
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * Overwrite a row's value column with {@code size} bytes of junk, leaving its other columns.
	 */
	private static void plant(TestDatabase database, String table, String key, int size) throws SQLException {
		byte[] junk = new byte[size];
		Arrays.fill(junk, (byte) 'x');
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("UPDATE " + q(database, table) + " SET "
						+ q(database, "value") + " = ? WHERE " + q(database, "cache_key") + " = ?")) {
			statement.setBytes(1, junk);
			statement.setString(2, key);
			assertThat(statement.executeUpdate()).isOne();
		}
	}

	private static List<String> keys(TestDatabase database, String table) throws SQLException {
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT " + q(database, "cache_key")
						+ " FROM " + q(database, table) + " ORDER BY " + q(database, "cache_key"));
				ResultSet rows = statement.executeQuery()) {
			List<String> keys = new java.util.ArrayList<>();
			while (rows.next()) {
				keys.add(rows.getString(1));
			}
			return keys;
		}
	}

	private static String q(TestDatabase database, String name) {
		return (database == TestDatabase.MARIADB) ? "`" + name + "`" : "\"" + name + "\"";
	}

}
