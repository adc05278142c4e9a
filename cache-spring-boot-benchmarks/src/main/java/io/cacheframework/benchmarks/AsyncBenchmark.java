package io.cacheframework.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedOptions;
import io.cacheframework.backend.redis.RedisCacheBackend;
import io.cacheframework.backend.redis.RedisOptions;
import io.cacheframework.core.AsyncCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 16's comparison, in one run per store: 16 {@code async().get}s in flight from one thread against 16 threads
 * each doing blocking {@code get}s, on memcached and on Redis (each started on a free loopback port; {@code memcached}
 * and {@code redis-server} must be on the PATH). Both report gets per second; the async side uses one caller thread
 * and the clients' own I/O threads, the blocking side 16 parked threads.
 *
 * <pre>
 * mvn -B -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar AsyncBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AsyncBenchmark {

	private static final int IN_FLIGHT = 16;

	private static final String VALUE = "x".repeat(100);

	/** The store: {@code memcached} or {@code redis}. */
	@Param({ "memcached", "redis" })
	public String store;

	private LocalServer server;

	private CacheBackend cache;

	private AsyncCacheBackend async;

	private final List<String> keys = new ArrayList<>();

	/**
	 * Start the server and the backend, and store the keys.
	 * @throws Exception if the server cannot be started
	 */
	@Setup(Level.Trial)
	public void setUp() throws Exception {
		if ("redis".equals(this.store)) {
			this.server = LocalServer.redis();
			this.cache = new RedisCacheBackend(
					CacheSettings.builder("bench").location("redis://" + this.server.address() + "/0").build(),
					new RedisOptions(), new DefaultValueSerializer());
		}
		else {
			this.server = LocalServer.memcached();
			this.cache = new MemcachedCacheBackend(CacheSettings.builder("bench").location(this.server.address()).build(),
					new MemcachedOptions(), new DefaultValueSerializer());
		}
		this.async = this.cache.async();
		for (int i = 0; i < IN_FLIGHT; i++) {
			this.keys.add("key" + i);
		}
		// Redis connects in the background: retry until the values are there.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (this.cache.getMany(this.keys).size() < IN_FLIGHT && System.nanoTime() < deadline) {
			for (String key : this.keys) {
				this.cache.set(key, VALUE);
			}
			Thread.sleep(50);
		}
		if (this.cache.getMany(this.keys).size() != IN_FLIGHT || asyncGets() != IN_FLIGHT) {
			throw new IllegalStateException(this.store + " async benchmark setup failed: " + this.cache.statistics());
		}
	}

	/**
	 * Stop everything.
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.cache.close();
		this.server.stop();
	}

	/** 16 async gets in flight at once from one thread, all awaited; counted per get. */
	@Benchmark
	@OperationsPerInvocation(IN_FLIGHT)
	public int asyncGets() {
		List<CompletableFuture<Object>> futures = new ArrayList<>(IN_FLIGHT);
		for (String key : this.keys) {
			futures.add(this.async.get(key));
		}
		int found = 0;
		for (CompletableFuture<Object> future : futures) {
			found += (future.join() != null) ? 1 : 0;
		}
		return found;
	}

	/** Blocking gets from 16 threads, each waiting for its answer. */
	@Benchmark
	@Threads(IN_FLIGHT)
	public Object blockingGets() {
		return this.cache.get("key" + (Thread.currentThread().getId() % IN_FLIGHT));
	}

}
