package io.cacheframework.benchmarks;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedOptions;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import net.spy.memcached.ConnectionFactoryBuilder;
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
 * What Django-exact placement costs: our {@code get} with the default {@code distribution: rendezvous} (a
 * MurmurHash3 per server per key, then the outage policy) against raw spymemcached with its default locator
 * ({@code ARRAY_MOD} over the native hash) on the same three memcached servers, in the same run. Keys cycle over
 * 256 names so every server serves its share. Starts its own three memcached processes on free loopback ports
 * ({@code memcached} must be on the PATH). The {@code pairGet} group runs both at once, so both see the same
 * background load.
 *
 * <pre>
 * mvn -B -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar MemcachedPlacementBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MemcachedPlacementBenchmark {

	private static final int KEYS = 256;

	private static final String VALUE = "x".repeat(100);

	private final List<LocalServer> servers = new ArrayList<>();

	private MemcachedCacheBackend cache;

	private MemcachedClient raw;

	private String[] ourKeys;

	private String[] rawKeys;

	private int nextOurs;

	private int nextRaw;

	/**
	 * Start three memcached servers, our backend (rendezvous, the default) and a raw spymemcached client with its
	 * default locator, and store every key through each.
	 * @throws Exception if memcached cannot be started
	 */
	@Setup(Level.Trial)
	public void setUp() throws Exception {
		List<InetSocketAddress> addresses = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			LocalServer server = LocalServer.memcached();
			this.servers.add(server);
			addresses.add(new InetSocketAddress("127.0.0.1", server.port()));
		}
		String location = String.join(",", addresses.stream().map((a) -> "127.0.0.1:" + a.getPort()).toList());
		MemcachedOptions options = new MemcachedOptions();
		if (options.getDistribution() != MemcachedOptions.Distribution.RENDEZVOUS) {
			throw new IllegalStateException("rendezvous is no longer the default distribution");
		}
		this.cache = new MemcachedCacheBackend(CacheSettings.builder("bench").location(location).build(), options,
				new DefaultValueSerializer());
		this.raw = new MemcachedClient(new ConnectionFactoryBuilder().setDaemon(true).build(), addresses);
		this.ourKeys = new String[KEYS];
		this.rawKeys = new String[KEYS];
		for (int i = 0; i < KEYS; i++) {
			this.ourKeys[i] = "key" + i;
			// The made key our backend sends, so both clients hash and send the same bytes.
			this.rawKeys[i] = ":1:key" + i;
			this.cache.set(this.ourKeys[i], VALUE);
		}
		for (int i = 0; i < KEYS; i++) {
			if (!VALUE.equals(this.cache.get(this.ourKeys[i]))) {
				throw new IllegalStateException("memcached placement benchmark setup failed");
			}
		}
		// Raw writes after ours: the keys land where spymemcached's locator puts them, which may be another server.
		for (int i = 0; i < KEYS; i++) {
			this.raw.set(this.rawKeys[i], 0, VALUE).get();
		}
		if (!VALUE.equals(this.raw.get(this.rawKeys[KEYS - 1]))) {
			throw new IllegalStateException("memcached placement benchmark setup failed");
		}
	}

	/**
	 * Stop everything.
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.cache.close();
		this.raw.shutdown();
		this.servers.forEach(LocalServer::stop);
	}

	private String ourKey() {
		this.nextOurs = (this.nextOurs + 1) & (KEYS - 1);
		return this.ourKeys[this.nextOurs];
	}

	private String rawKey() {
		this.nextRaw = (this.nextRaw + 1) & (KEYS - 1);
		return this.rawKeys[this.nextRaw];
	}

	/** Our get of a 100-byte string, placed by rendezvous hashing. */
	@Benchmark
	public Object rendezvousGet() {
		return this.cache.get(ourKey());
	}

	/** spymemcached's synchronous get with its default locator. */
	@Benchmark
	public Object rawDefaultLocatorGet() {
		return this.raw.get(rawKey());
	}

	/** Our get, run at the same time as {@link #pairRawDefaultLocatorGet()}. */
	@Benchmark
	@Group("pairGet")
	@GroupThreads(1)
	public Object pairRendezvousGet() {
		return this.cache.get(ourKey());
	}

	/** spymemcached's get, paired with {@link #pairRendezvousGet()}. */
	@Benchmark
	@Group("pairGet")
	@GroupThreads(1)
	public Object pairRawDefaultLocatorGet() {
		return this.raw.get(rawKey());
	}

}
