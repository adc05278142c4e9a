package io.cacheframework.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.backend.database.DatabaseOptions;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The database backend on PostgreSQL (127.0.0.1:5432, database test, user postgres) against the same statements
 * run through plain JDBC on the same connection pool, in the same run:
 * <ul>
 * <li>{@code get}/{@code set}: our overhead over plain JDBC (key making, serialization, statistics, query
 * timeout);</li>
 * <li>{@code getMany(100)} against 100 {@code get}s: one query instead of 100 round trips.</li>
 * </ul>
 * Both sides use one Hikari pool whose connections run with {@code synchronous_commit=off}.
 * <pre>
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar DatabaseBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class DatabaseBenchmark {

	private static final int KEYS = 1000;

	private static final String VALUE = "x".repeat(100);

	private HikariDataSource dataSource;

	private DatabaseCacheBackend cache;

	private String table;

	private String select;

	private String upsert;

	private final String[] keys = new String[KEYS];

	private final String[] madeKeys = new String[KEYS];

	private final List<List<String>> batches = new ArrayList<>();

	private byte[] serializedValue;

	/**
	 * Each benchmark thread's position in the keys.
	 */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		int next(int bound) {
			int index = this.next;
			this.next = (index + 1) % bound;
			return index;
		}

	}

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(System.getProperty("bench.url", "jdbc:postgresql://127.0.0.1:5432/test"));
		config.setUsername(System.getProperty("bench.user", "postgres"));
		config.setMaximumPoolSize(4);
		// No disk flush per commit (on both sides): the flush is identical for ours and plain JDBC, and on a shared
		// machine its noise would hide the overhead being measured.
		config.setConnectionInitSql("SET synchronous_commit TO off");
		this.dataSource = new HikariDataSource(config);
		this.table = "bench_cache_" + ProcessHandle.current().pid();
		this.cache = new DatabaseCacheBackend(
				CacheSettings.builder("bench").location(this.table).maxEntries(1_000_000).build(), this.dataSource,
				this.dataSource, new ValueCodec(new DefaultValueSerializer()), new DatabaseOptions().poolSize(0));
		this.cache.createTable();
		Map<String, Object> values = new HashMap<>();
		for (int i = 0; i < KEYS; i++) {
			this.keys[i] = "key" + i;
			this.madeKeys[i] = this.cache.makeKey(this.keys[i]);
			values.put(this.keys[i], VALUE);
		}
		this.cache.setMany(values, Timeout.NEVER);
		for (int i = 0; i < KEYS; i += 100) {
			this.batches.add(List.of(this.keys).subList(i, i + 100));
		}
		this.serializedValue = new DefaultValueSerializer().serialize(VALUE);
		// The statements the backend runs for get and set on PostgreSQL.
		this.select = "SELECT \"value\", \"int_value\", \"expires\" FROM \"" + this.table
				+ "\" WHERE \"cache_key\" = ?";
		this.upsert = "INSERT INTO \"" + this.table + "\" (\"cache_key\", \"value\", \"int_value\", \"expires\")"
				+ " VALUES (?, ?, ?, ?) ON CONFLICT (\"cache_key\") DO UPDATE SET \"value\" = EXCLUDED.\"value\","
				+ " \"int_value\" = EXCLUDED.\"int_value\", \"expires\" = EXCLUDED.\"expires\"";
	}

	@TearDown(Level.Trial)
	public void tearDown() throws SQLException {
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("DROP TABLE IF EXISTS \"" + this.table + "\"");
		}
		this.dataSource.close();
	}

	// Each pair runs as one JMH group: ours and the reference on two threads at the same time, so both see the
	// same load on a shared machine (sequential runs drift too much to compare). Writers use disjoint keys.

	@Benchmark
	@Group("get")
	@GroupThreads(1)
	public Object getOurs(Cursor cursor) {
		return this.cache.get(this.keys[cursor.next(KEYS)]);
	}

	@Benchmark
	@Group("get")
	@GroupThreads(1)
	public Object getPlainJdbc(Cursor cursor) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(this.select)) {
			statement.setString(1, this.madeKeys[cursor.next(KEYS)]);
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? rs.getBytes(1) : null;
			}
		}
	}

	@Benchmark
	@Group("set")
	@GroupThreads(1)
	public void setOurs(Cursor cursor) {
		this.cache.set(this.keys[cursor.next(KEYS / 2)], VALUE, Timeout.NEVER);
	}

	@Benchmark
	@Group("set")
	@GroupThreads(1)
	public int setPlainJdbc(Cursor cursor) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(this.upsert)) {
			statement.setString(1, this.madeKeys[KEYS / 2 + cursor.next(KEYS / 2)]);
			statement.setBytes(2, this.serializedValue);
			statement.setNull(3, Types.BIGINT);
			statement.setLong(4, Long.MAX_VALUE);
			return statement.executeUpdate();
		}
	}

	@Benchmark
	@Group("many")
	@GroupThreads(1)
	public Object getMany100(Cursor cursor) {
		return this.cache.getMany(this.batches.get(cursor.next(this.batches.size())));
	}

	@Benchmark
	@Group("many")
	@GroupThreads(1)
	public void get100OneByOne(Cursor cursor, Blackhole blackhole) {
		for (String key : this.batches.get(cursor.next(this.batches.size()))) {
			blackhole.consume(this.cache.get(key));
		}
	}

}
