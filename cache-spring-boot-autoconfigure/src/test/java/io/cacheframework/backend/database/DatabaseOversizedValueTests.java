package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.autoconfigure.DatabaseCacheBackendAutoConfiguration;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Caches;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * RELIABILITY §7 A5 on the database backend: a value larger than the database takes in one statement fails its own
 * call only ({@code ValueNotStorableException} for {@code set}, that key for {@code setMany}), before it is sent.
 * The next calls, on this thread and on others, work at once; no store failure is counted and the circuit breaker
 * stays closed.
 *
 * <p>Before the fix, on MariaDB with default options ({@code max-value-bytes} 64 MiB, the server's
 * {@code max_allowed_packet} 16 MiB) a 20 MB value made the server drop the connection; that counted as "database
 * not answering": three such sets opened the breaker (misses for everyone), the thread that did one got misses for
 * 0.5 s, and a {@code setMany} failed every key. On H2 a value over its 10^9-byte binary limit was a silent failed
 * write; on PostgreSQL a value over 512 MiB was written but could never be read back (its hex text is over the
 * server's 1 GB allocation limit).
 *
 * <p>Memory: the largest value allocated is 1,000,000,001 bytes (H2), passed through without a copy and never sent.
 */
class DatabaseOversizedValueTests {

	/** What MariaDB's and MySQL's drivers may need for a value besides the value itself in one statement. */
	private static final int STATEMENT_BYTES = 4096;

	private static final long POSTGRESQL_LARGEST = 512L * 1024 * 1024 - 64 * 1024;

	private static final long H2_LARGEST = 1_000_000_000L;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
				CacheFrameworkAutoConfiguration.class))
		.withPropertyValues("app.caches.default.backend=database");

	/**
	 * The reported case, with default options: 20 MB (or more than {@code max_allowed_packet}, where that is larger)
	 * is over what MariaDB takes and under what H2 and PostgreSQL take, so there it is stored and read back.
	 */
	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void aValueTooLargeForTheDatabaseFailsItsOwnCallOnly(TestDatabase database) {
		String table = TestDatabase.uniqueTable("oversized");
		new DatabaseCacheBackend(CacheSettings.builder("create").location(table).build(), database.dataSource())
			.createTable();
		boolean fits = database != TestDatabase.MARIADB;
		int size = fits ? 20 * 1024 * 1024 : (int) Math.max(20 * 1024 * 1024, maxAllowedPacket(database) + 1);
		byte[] big = new byte[size];
		Arrays.fill(big, (byte) 7);
		try {
			this.contextRunner
				.withBean("dataSource", DataSource.class, () -> new DelegatingDataSource(database.dataSource()))
				.withPropertyValues("app.caches.default.location=" + table)
				.run((context) -> {
					CacheBackend cache = context.getBean(Caches.class).get("default");
					cache.set("small", "before");
					// Three callers each store one value that is too large: it must not be sent, and nobody else
					// may get a miss.
					for (int i = 0; i < 3; i++) {
						int n = i;
						CompletableFuture<Void> set = CompletableFuture.runAsync(() -> cache.set("big" + n, big));
						assertStoredOrRefused(fits, () -> set.get(10, TimeUnit.SECONDS));
					}
					assertThat(CompletableFuture.supplyAsync(() -> cache.get("small")).get(10, TimeUnit.SECONDS))
						.as("another thread, after 3 oversized sets").isEqualTo("before");
					assertStoredOrRefused(fits, () -> cache.set("big", big));
					assertThat(cache.get("small")).as("same thread, right after its oversized set").isEqualTo("before");
					Map<String, Object> many = new LinkedHashMap<>();
					many.put("huge", big);
					many.put("fits", "small");
					List<String> failed = cache.setMany(many);
					assertThat(failed).as("keys that failed").doesNotContain("fits");
					assertThat(failed).as("keys that failed").isEqualTo(fits ? List.of() : List.of("huge"));
					assertThat(cache.get("fits")).isEqualTo("small");
					if (fits) {
						assertThat((byte[]) cache.get("big")).as("the 20 MB value read back").isEqualTo(big);
					}
					else {
						assertThat(cache.hasKey("big")).isFalse();
					}
					assertUntroubled((DatabaseCacheBackend) cache);
				});
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * The limit is tight and safe: with default options a value of exactly the limit, made of bytes the drivers
	 * escape (MariaDB: two bytes each in the statement) and stored under the longest key (255 characters, four
	 * bytes each where the database counts them as one), is stored and read back; one byte more is refused. MariaDB's limit is half its
	 * {@code max_allowed_packet} less 4096 bytes; H2's and PostgreSQL's is {@code max-value-bytes} (64 MiB).
	 */
	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void theLargestValueIsStoredWhateverItsBytesAndOneByteMoreIsRefused(TestDatabase database) {
		String table = TestDatabase.uniqueTable("largest");
		long limit = (database == TestDatabase.MARIADB) ? (maxAllowedPacket(database) - STATEMENT_BYTES) / 2
				: new DatabaseOptions().getMaxValueBytes();
		// The serializer's tag byte is part of the stored value.
		byte[] largest = new byte[(int) limit - 1];
		Arrays.fill(largest, (byte) '\'');
		// The made key (":1:" + key) at the column's 255 characters; on MariaDB four bytes each in the statement.
		// H2 counts UTF-16 units, so there a character of the Basic Multilingual Plane (three bytes in UTF-8).
		String key = ((database == TestDatabase.H2) ? "\u20AC" : "\uD83D\uDE00").repeat(252);
		try (DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("default").location(table).build(), database.dataSource(),
				database.dataSource(), new ValueCodec(new DefaultValueSerializer()), new DatabaseOptions())) {
			cache.createTable();
			cache.set(key, largest);
			assertThat((byte[]) cache.get(key)).as("the largest value read back").isEqualTo(largest);
			byte[] oneMore = Arrays.copyOf(largest, largest.length + 1);
			assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> cache.set("over", oneMore))
				.withMessageContaining(String.valueOf(limit + 1))
				.withMessageContaining((database == TestDatabase.MARIADB) ? "max_allowed_packet" : "max-value-bytes");
			assertThat(cache.setMany(Map.of("over", oneMore, key, "replaced"))).containsExactly("over");
			assertThat(cache.get(key)).isEqualTo("replaced");
			assertUntroubled(cache);
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * H2 and PostgreSQL have limits of their own below the largest {@code max-value-bytes}: H2 takes no binary value
	 * over 10^9 bytes; PostgreSQL reads a {@code bytea} back as hex text built in one allocation of at most 1 GB, so
	 * the limit is 512 MiB less 64 KiB. With {@code max-value-bytes} at its maximum, a value one byte over is refused
	 * like any value over the limit.
	 */
	@ParameterizedTest
	@EnumSource(names = { "H2", "POSTGRESQL" })
	void aValueOverTheDatabasesOwnLimitIsRefusedWhateverMaxValueBytesSays(TestDatabase database) throws Exception {
		String table = TestDatabase.uniqueTable("overown");
		long limit = (database == TestDatabase.H2) ? H2_LARGEST : POSTGRESQL_LARGEST;
		DatabaseOptions options = new DatabaseOptions().maxValueBytes(Integer.MAX_VALUE - 8);
		try (DatabaseCacheBackend cache = new DatabaseCacheBackend(
				CacheSettings.builder("default").location(table).build(), database.dataSource(),
				database.dataSource(), new ValueCodec(new PassThroughSerializer()), options)) {
			cache.createTable();
			cache.set("small", new byte[] { 1 });
			byte[] over = new byte[(int) limit + 1];
			assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> cache.set("over", over))
				.withMessageContaining(String.valueOf(limit))
				.withMessageContaining((database == TestDatabase.H2) ? "H2" : "PostgreSQL");
			assertThat(CompletableFuture.supplyAsync(() -> cache.get("small")).get(10, TimeUnit.SECONDS))
				.as("another thread").isEqualTo(new byte[] { 1 });
			Map<String, Object> many = new LinkedHashMap<>();
			many.put("over", over);
			many.put("fits", new byte[] { 2 });
			assertThat(cache.setMany(many)).containsExactly("over");
			assertThat(cache.get("fits")).isEqualTo(new byte[] { 2 });
			assertThat(cache.hasKey("over")).isFalse();
			assertUntroubled(cache);
		}
		finally {
			database.dropTable(table);
		}
	}

	/**
	 * A value that fits is stored (and the call returns normally); one that does not is refused with
	 * {@code ValueNotStorableException}, from the caller's thread or through a future.
	 */
	private static void assertStoredOrRefused(boolean fits, ThrowingCall call) throws Exception {
		if (fits) {
			call.run();
			return;
		}
		Throwable thrown = null;
		try {
			call.run();
		}
		catch (ExecutionException ex) {
			thrown = ex.getCause();
		}
		catch (ValueNotStorableException ex) {
			thrown = ex;
		}
		assertThat(thrown).as("a value over the database's limit").isInstanceOf(ValueNotStorableException.class)
			.hasMessageContaining("max_allowed_packet");
	}

	/**
	 * No store failure was counted, and the write data source's breaker is closed with no failure in a row.
	 */
	private static void assertUntroubled(DatabaseCacheBackend cache) {
		assertThat(cache.statistics().errors()).as("store failures counted").isZero();
		assertThat(DatabaseStallFaultTests.connections(cache)).containsEntry("circuit", "closed")
			.containsEntry("failuresInARow", 0);
	}

	private static long maxAllowedPacket(TestDatabase database) {
		try (Connection connection = database.dataSource().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT @@max_allowed_packet")) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@FunctionalInterface
	private interface ThrowingCall {

		void run() throws Exception;

	}

	/**
	 * Stores a {@code byte[]} as it is, so that a value of a given size is that many bytes without a copy.
	 */
	private static final class PassThroughSerializer implements ValueSerializer {

		@Override
		public byte[] serialize(@Nullable Object value) {
			return (byte[]) value;
		}

		@Override
		public @Nullable Object deserialize(byte[] data) {
			return data;
		}

	}

}
