package io.cacheframework.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local-memory backend against Caffeine and Spring's {@code ConcurrentMapCache}, in the same run: get-hit,
 * get-miss, set and getMany(100), each at 1 and 2 threads (the {@code _1t} / {@code _2t} methods, so one run covers
 * both; do not pass {@code -t}, it would override them).
 *
 * <p>Every cache holds {@code keys} String keys ({@value #DEFAULT_KEYS} by default, as Caffeine's own
 * {@code GetPutBenchmark}) with String values, filled in {@code @Setup}, and is bounded far above that
 * ({@value #MAXIMUM_SIZE}), so nothing is culled or evicted: the get benchmarks measure reads only and {@code set}
 * overwrites existing keys. locmem runs with its default 300 s timeout, so every read checks expiry;
 * {@code caffeineExpiring} does the same work, {@code caffeine} and {@code concurrentMap} have no expiry.
 *
 * <p>The caches are filled with their own key instances, equal to but not the same objects as the lookup keys, as
 * in an application that builds {@code "user:" + id} per request: a hit compares key contents instead of taking the
 * {@code ==} shortcut of {@code ConcurrentHashMap}. Lookup keys come from precomputed arrays (their hash codes
 * cached) walked by a per-thread index from a random offset, so no random number generation or string building is
 * measured; locmem still builds its made key ({@code ":1:" + key}) on every call, which is part of its cost.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar LocalCacheBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *     -rf json -rff locmem.json
 * </pre>
 * One implementation only: add {@code -p cache=locmem}; another key space: {@code -p keys=1024} (a power of two).
 * Results: {@code BENCHMARKS.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LocalCacheBenchmark {

	static final int DEFAULT_KEYS = 1 << 15;

	static final int MAXIMUM_SIZE = 1_000_000;

	static final int BATCH = 100;

	static final int BATCHES = 1 << 10;

	/**
	 * The implementation under test.
	 */
	@Param({ "locmem", "caffeine", "caffeineExpiring", "concurrentMap" })
	public CacheType cache;

	/**
	 * How many keys the cache holds and the benchmarks read or write (a power of two).
	 */
	@Param({ "" + DEFAULT_KEYS })
	public int keys;

	private int mask;

	private BasicCache basicCache;

	private String[] hitKeys;

	private String[] missKeys;

	private String[] values;

	private List<List<String>> batches;

	/**
	 * Fill the cache with every hit key.
	 */
	@Setup(Level.Trial)
	public void setUp() {
		if (Integer.bitCount(this.keys) != 1) {
			throw new IllegalArgumentException("keys must be a power of two: " + this.keys);
		}
		this.mask = this.keys - 1;
		Random random = new Random(42);
		List<Integer> ids = new ArrayList<>(this.keys);
		for (int i = 0; i < this.keys; i++) {
			ids.add(i);
		}
		// Walk the keys in random order, not in allocation order.
		Collections.shuffle(ids, random);
		this.hitKeys = new String[this.keys];
		this.missKeys = new String[this.keys];
		this.values = new String[this.keys];
		for (int i = 0; i < this.keys; i++) {
			int id = ids.get(i);
			this.hitKeys[i] = key(id);
			this.missKeys[i] = "absent:" + id;
			this.values[i] = "value of user " + id;
		}
		this.batches = new ArrayList<>(BATCHES);
		for (int i = 0; i < BATCHES; i++) {
			this.batches.add(distinctBatch(random));
		}
		this.basicCache = this.cache.create(MAXIMUM_SIZE);
		for (int i = 0; i < this.keys; i++) {
			// A key of its own, as stored by an earlier request.
			this.basicCache.put(key(ids.get(i)), this.values[i]);
		}
		if (!this.values[0].equals(this.basicCache.get(this.hitKeys[0]))
				|| this.basicCache.get(this.missKeys[0]) != null
				|| this.basicCache.getMany(this.batches.get(0)).size() != BATCH) {
			throw new IllegalStateException(this.cache + " was not filled as expected");
		}
	}

	private static String key(int id) {
		return "user:" + id;
	}

	/**
	 * {@value #BATCH} different hit keys, so that every getMany finds {@value #BATCH} values.
	 */
	private List<String> distinctBatch(Random random) {
		Set<String> batch = new LinkedHashSet<>();
		while (batch.size() < BATCH) {
			batch.add(this.hitKeys[random.nextInt(this.keys)]);
		}
		return new ArrayList<>(batch);
	}

	/**
	 * Release the cache (locmem stores are shared per location until closed).
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.basicCache.close();
	}

	/**
	 * Each thread's position in the key arrays.
	 */
	@State(Scope.Thread)
	public static class ThreadState {

		int index = ThreadLocalRandom.current().nextInt();

	}

	/**
	 * Read a present key, one thread.
	 * @param thread this thread's position
	 * @return the result, consumed by JMH
	 */
	@Benchmark
	@Threads(1)
	public Object getHit_1t(ThreadState thread) {
		return getHit(thread);
	}

	/**
	 * Read a present key, two threads sharing the cache.
	 * @param thread this thread's position
	 * @return the result, consumed by JMH
	 */
	@Benchmark
	@Threads(2)
	public Object getHit_2t(ThreadState thread) {
		return getHit(thread);
	}

	/**
	 * Read an absent key, one thread.
	 * @param thread this thread's position
	 * @return the result, consumed by JMH
	 */
	@Benchmark
	@Threads(1)
	public Object getMiss_1t(ThreadState thread) {
		return getMiss(thread);
	}

	/**
	 * Read an absent key, two threads sharing the cache.
	 * @param thread this thread's position
	 * @return the result, consumed by JMH
	 */
	@Benchmark
	@Threads(2)
	public Object getMiss_2t(ThreadState thread) {
		return getMiss(thread);
	}

	/**
	 * Overwrite a present key, one thread.
	 * @param thread this thread's position
	 */
	@Benchmark
	@Threads(1)
	public void set_1t(ThreadState thread) {
		set(thread);
	}

	/**
	 * Overwrite a present key, two threads sharing the cache.
	 * @param thread this thread's position
	 */
	@Benchmark
	@Threads(2)
	public void set_2t(ThreadState thread) {
		set(thread);
	}

	/**
	 * Read {@value #BATCH} present keys at once, one thread.
	 * @param thread this thread's position
	 * @return the hits, consumed by JMH
	 */
	@Benchmark
	@Threads(1)
	public Map<String, ?> getMany100_1t(ThreadState thread) {
		return getMany(thread);
	}

	/**
	 * Read {@value #BATCH} present keys at once, two threads sharing the cache.
	 * @param thread this thread's position
	 * @return the hits, consumed by JMH
	 */
	@Benchmark
	@Threads(2)
	public Map<String, ?> getMany100_2t(ThreadState thread) {
		return getMany(thread);
	}

	private Object getHit(ThreadState thread) {
		return this.basicCache.get(this.hitKeys[thread.index++ & this.mask]);
	}

	private Object getMiss(ThreadState thread) {
		return this.basicCache.get(this.missKeys[thread.index++ & this.mask]);
	}

	private void set(ThreadState thread) {
		int i = thread.index++ & this.mask;
		this.basicCache.put(this.hitKeys[i], this.values[i]);
	}

	private Map<String, ?> getMany(ThreadState thread) {
		return this.basicCache.getMany(this.batches.get(thread.index++ & (BATCHES - 1)));
	}

}
