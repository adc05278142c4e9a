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
	 * RELIABILITY F1 and F2 for the database: Java-serialized objects planted in the value column of rows the
	 * application reads (a class outside the allow-list whose {@code readObject} would run code, a {@code HashSet}
	 * "billion laughs", a list nested 10,000 deep, an array whose header claims 2^31-1 elements). Each is a miss
	 * and its row is deleted; the canary's code never runs; each read is back within 1 s (the plan's 200 ms, with a
	 * margin for a loaded 2-core machine) and allocates under 50 MB on the reading thread.
	 */
	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void plantedObjectsAreMissesThatRunNoCodeAndAreDeleted(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("objects");
		Map<String, byte[]> planted = new LinkedHashMap<>();
		planted.put("canary", javaTagged(new plantedcanary.PlantedCanary()));
		planted.put("laughs", javaTagged(hashSetBomb()));
		planted.put("deep", onLargeStack(() -> javaTagged(nestedLists(10_000))));
		byte[] array = javaTagged(new long[3]);
		// The array length is the int just before the 3 * 8 bytes of data.
		java.nio.ByteBuffer.wrap(array).putInt(array.length - 24 - 4, Integer.MAX_VALUE);
		planted.put("array", array);
		try (DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("default").location(table).build(), database.dataSource())) {
			cache.createTable();
			for (Map.Entry<String, byte[]> entry : planted.entrySet()) {
				cache.set(entry.getKey(), "placeholder");
				plant(database, table, ":1:" + entry.getKey(), entry.getValue());
			}
			cache.set("ok", "fine");
			// The control: an allowed object planted the same way is read, so the misses below are refusals.
			cache.set("control", "placeholder");
			plant(database, table, ":1:control", javaTagged(new java.util.ArrayList<>(List.of("planted"))));
			assertThat(cache.get("control")).isEqualTo(List.of("planted"));
			for (String key : planted.keySet()) {
				long bytes = allocated();
				long start = System.nanoTime();
				assertThat(cache.get(key)).as(key).isNull();
				long millis = (System.nanoTime() - start) / 1_000_000;
				assertThat(millis).as("%s: ms", key).isLessThan(1000);
				assertThat(allocated() - bytes).as("%s: bytes allocated", key).isLessThan(50L * 1024 * 1024);
			}
			assertThat(plantedcanary.PlantedCanary.EXECUTED).as("the canary's readObject ran").isFalse();
			assertThat(keys(database, table)).containsExactly(":1:control", ":1:ok");
			assertThat(cache.get("ok")).isEqualTo("fine");
		}
		finally {
			database.dropTable(table);
		}
	}

	private static byte[] javaTagged(Object value) throws java.io.IOException {
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		// DefaultValueSerializer's marker for a Java-serialized value.
		bytes.write(16);
		try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	/** The classic SerialDOS graph: 100 levels of two HashSets, 2^100 hashCode calls to rebuild. */
	private static Object hashSetBomb() {
		java.util.Set<Object> root = new java.util.HashSet<>();
		java.util.Set<Object> s1 = root;
		java.util.Set<Object> s2 = new java.util.HashSet<>();
		for (int i = 0; i < 100; i++) {
			java.util.Set<Object> t1 = new java.util.HashSet<>();
			java.util.Set<Object> t2 = new java.util.HashSet<>();
			t1.add("foo");
			s1.add(t1);
			s1.add(t2);
			s2.add(t1);
			s2.add(t2);
			s1 = t1;
			s2 = t2;
		}
		return root;
	}

	private static Object nestedLists(int depth) {
		List<Object> list = new java.util.ArrayList<>();
		for (int i = 0; i < depth; i++) {
			List<Object> outer = new java.util.ArrayList<>();
			outer.add(list);
			list = outer;
		}
		return list;
	}

	/** Writing a 10,000-deep graph recurses deeper than a default thread stack allows. */
	private static byte[] onLargeStack(java.util.concurrent.Callable<byte[]> work) throws Exception {
		java.util.concurrent.FutureTask<byte[]> task = new java.util.concurrent.FutureTask<>(work);
		Thread thread = new Thread(null, task, "large-stack", 512L * 1024 * 1024);
		thread.start();
		return task.get();
	}

	/** The bytes this thread allocated so far (HotSpot's per-thread count). */
	private static long allocated() {
		return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
			.getCurrentThreadAllocatedBytes();
	}

	/**
	 * Overwrite a row's value column with {@code value}, leaving its other columns.
	 */
	private static void plant(TestDatabase database, String table, String key, byte[] value) throws SQLException {
		try (Connection connection = database.dataSource().getConnection();
				PreparedStatement statement = connection.prepareStatement("UPDATE " + q(database, table) + " SET "
						+ q(database, "value") + " = ? WHERE " + q(database, "cache_key") + " = ?")) {
			statement.setBytes(1, value);
			statement.setString(2, key);
			assertThat(statement.executeUpdate()).isOne();
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
