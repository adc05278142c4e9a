package io.cacheframework.benchmarks;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedOptions;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.MemcachedClient;
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

/**
 * The memcached backend against raw spymemcached calls on the same server in the same run, and a 100-key
 * {@code getMany} (one multi-get) against 100 sequential {@code get}s. Starts its own memcached on a free loopback
 * port ({@code memcached} must be on the PATH).
 *
 * <pre>
 * mvn -B -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar MemcachedBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MemcachedBenchmark {

	private static final String VALUE = "x".repeat(100);

	private LocalServer memcached;

	private MemcachedCacheBackend cache;

	private MemcachedClient raw;

	private List<String> keys;

	/**
	 * Start memcached, our backend and a raw spymemcached client (Ketama, text protocol, like ours).
	 * @throws Exception if memcached cannot be started
	 */
	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.memcached = LocalServer.memcached();
		String location = this.memcached.address();
		this.cache = new MemcachedCacheBackend(CacheSettings.builder("bench").location(location).build(),
				new MemcachedOptions(), new DefaultValueSerializer());
		this.raw = new MemcachedClient(new ConnectionFactoryBuilder()
			.setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
			.setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
			.setDaemon(true)
			.build(), List.of(new InetSocketAddress("127.0.0.1", this.memcached.port())));
		this.cache.set("key", VALUE);
		this.raw.set("raw:key", 0, VALUE).get();
		Map<String, Object> many = new LinkedHashMap<>();
		this.keys = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			this.keys.add("many" + i);
			many.put("many" + i, VALUE);
		}
		if (!this.cache.setMany(many).isEmpty() || this.cache.getMany(this.keys).size() != 100
				|| !VALUE.equals(this.raw.get("raw:key"))) {
			throw new IllegalStateException("memcached benchmark setup failed");
		}
	}

	/**
	 * Stop everything.
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.cache.close();
		this.raw.shutdown();
		this.memcached.stop();
	}

	/** Our get of a 100-byte string. */
	@Benchmark
	public Object ourGet() {
		return this.cache.get("key");
	}

	/** spymemcached's synchronous get of the same kind of value. */
	@Benchmark
	public Object rawGet() {
		return this.raw.get("raw:key");
	}

	/** Our set (waits for the server's answer). */
	@Benchmark
	public void ourSet() {
		this.cache.set("key", VALUE);
	}

	/** spymemcached's set, waiting for the server's answer as ours does. */
	@Benchmark
	public Object rawSet() throws Exception {
		return this.raw.set("raw:key", 0, VALUE).get();
	}

	/**
	 * Our get, run at the same time as {@link #pairRawGet()} (a JMH group): on a shared, noisy machine both see the
	 * same background load, which makes the comparison fair where back-to-back runs are not.
	 */
	@Benchmark
	@Group("pairGet")
	@GroupThreads(1)
	public Object pairOurGet() {
		return this.cache.get("key");
	}

	/** spymemcached's get, paired with {@link #pairOurGet()}. */
	@Benchmark
	@Group("pairGet")
	@GroupThreads(1)
	public Object pairRawGet() {
		return this.raw.get("raw:key");
	}

	/** Our set, paired with {@link #pairRawSet()}. */
	@Benchmark
	@Group("pairSet")
	@GroupThreads(1)
	public void pairOurSet() {
		this.cache.set("key", VALUE);
	}

	/** spymemcached's set, paired with {@link #pairOurSet()}. */
	@Benchmark
	@Group("pairSet")
	@GroupThreads(1)
	public Object pairRawSet() throws Exception {
		return this.raw.set("raw:key", 0, VALUE).get();
	}

	/** One multi-get of 100 keys. */
	@Benchmark
	public Object getMany100() {
		return this.cache.getMany(this.keys);
	}

	/** The same 100 keys one get at a time. */
	@Benchmark
	public int sequentialGets100() {
		int found = 0;
		for (String key : this.keys) {
			found += (this.cache.get(key) != null) ? 1 : 0;
		}
		return found;
	}

}
