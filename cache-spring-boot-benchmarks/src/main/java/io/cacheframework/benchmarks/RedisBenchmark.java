package io.cacheframework.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.redis.RedisCacheBackend;
import io.cacheframework.backend.redis.RedisOptions;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Redis backend against raw Lettuce synchronous calls on the same server in the same run, at 1 and 16 threads;
 * and a 100-key {@code getMany} against one raw {@code MGET} of the same keys and against 100 single {@code get}s.
 * Both sides use one shared connection, as the backend does. Starts its own {@code redis-server} on a free loopback
 * port ({@code redis-server} must be on the PATH), never the machine's Redis on 6379.
 *
 * <pre>
 * mvn -B -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar RedisBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedisBenchmark {

	private static final String VALUE = "x".repeat(100);

	private static final byte[] RAW_VALUE = VALUE.getBytes(StandardCharsets.UTF_8);

	private static final byte[] RAW_KEY = "raw:key".getBytes(StandardCharsets.UTF_8);

	private LocalServer redis;

	private RedisCacheBackend cache;

	private RedisClient rawClient;

	private StatefulRedisConnection<byte[], byte[]> rawConnection;

	private RedisCommands<byte[], byte[]> raw;

	private List<String> keys;

	private byte[][] madeKeys;

	/**
	 * Start redis-server, our backend and a raw Lettuce connection.
	 * @throws Exception if redis-server cannot be started
	 */
	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.redis = LocalServer.redis();
		String location = "redis://" + this.redis.address() + "/0";
		this.cache = new RedisCacheBackend(CacheSettings.builder("bench").location(location).build(),
				new RedisOptions(), new DefaultValueSerializer());
		this.rawClient = RedisClient.create();
		this.rawConnection = this.rawClient.connect(ByteArrayCodec.INSTANCE, RedisURI.create(location));
		this.raw = this.rawConnection.sync();
		// The backend connects in the background: on a loaded machine the first connection of a JVM can take a while.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!VALUE.equals(this.cache.get("key")) && System.nanoTime() < deadline) {
			this.cache.set("key", VALUE);
			Thread.sleep(50);
		}
		this.raw.set(RAW_KEY, RAW_VALUE);
		Map<String, Object> many = new LinkedHashMap<>();
		this.keys = new ArrayList<>();
		this.madeKeys = new byte[100][];
		for (int i = 0; i < 100; i++) {
			this.keys.add("many" + i);
			many.put("many" + i, VALUE);
			this.madeKeys[i] = this.cache.makeKey("many" + i).getBytes(StandardCharsets.UTF_8);
		}
		List<String> failed = this.cache.setMany(many);
		int found = this.cache.getMany(this.keys).size();
		if (!failed.isEmpty() || found != 100 || !VALUE.equals(this.cache.get("key"))
				|| this.raw.mget(this.madeKeys).size() != 100) {
			throw new IllegalStateException("redis benchmark setup failed: " + failed.size() + " keys not stored, "
					+ found + " of 100 found, statistics " + this.cache.statistics());
		}
	}

	/**
	 * Stop everything.
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.cache.close();
		this.rawConnection.close();
		this.rawClient.shutdown();
		this.redis.stop();
	}

	/** Our get of a 100-character string (a GET and a restricted unpickle). */
	@Benchmark
	public Object ourGet() {
		return this.cache.get("key");
	}

	/** Lettuce's synchronous GET of 100 bytes. */
	@Benchmark
	public Object rawGet() {
		return this.raw.get(RAW_KEY);
	}

	/** Our set (pickles, SET ... EX 300, waits for the answer). */
	@Benchmark
	public void ourSet() {
		this.cache.set("key", VALUE);
	}

	/** Lettuce's synchronous SET. */
	@Benchmark
	public Object rawSet() {
		return this.raw.set(RAW_KEY, RAW_VALUE);
	}

	/** {@link #ourGet()} from 16 threads on the one connection. */
	@Benchmark
	@Threads(16)
	public Object ourGet16() {
		return this.cache.get("key");
	}

	/** {@link #rawGet()} from 16 threads on the one connection. */
	@Benchmark
	@Threads(16)
	public Object rawGet16() {
		return this.raw.get(RAW_KEY);
	}

	/** {@link #ourSet()} from 16 threads. */
	@Benchmark
	@Threads(16)
	public void ourSet16() {
		this.cache.set("key", VALUE);
	}

	/** {@link #rawSet()} from 16 threads. */
	@Benchmark
	@Threads(16)
	public Object rawSet16() {
		return this.raw.set(RAW_KEY, RAW_VALUE);
	}

	/** Our getMany of 100 keys: one MGET. */
	@Benchmark
	public Object getMany100() {
		return this.cache.getMany(this.keys);
	}

	/** One raw MGET of the same 100 keys. */
	@Benchmark
	public Object rawMget100() {
		return this.raw.mget(this.madeKeys);
	}

	/** The same 100 keys, one of our gets at a time. */
	@Benchmark
	public int sequentialGets100() {
		int found = 0;
		for (String key : this.keys) {
			found += (this.cache.get(key) != null) ? 1 : 0;
		}
		return found;
	}

}
