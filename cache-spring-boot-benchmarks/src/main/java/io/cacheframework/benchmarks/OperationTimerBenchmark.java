package io.cacheframework.benchmarks;

import java.util.concurrent.TimeUnit;

import io.cacheframework.actuate.MicrometerCacheOperationListener;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the {@code cache.backend.operation} latency timers cost on the fastest backend: a local-memory get (hit)
 * and set with the timers off (no listener: no clock is read) and on (two {@code System.nanoTime()} calls and a
 * Micrometer timer update per operation).
 *
 * <pre>
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar OperationTimerBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OperationTimerBenchmark {

	@Param({ "off", "on" })
	public String timers;

	private LocMemCacheBackend cache;

	@Setup
	public void setUp() {
		this.cache = new LocMemCacheBackend(CacheSettings.builder("default").location("timer-benchmark").build());
		if ("on".equals(this.timers)) {
			MicrometerCacheOperationListener.instrument(new SimpleMeterRegistry(), this.cache);
		}
		this.cache.set("username", "guyan");
	}

	@TearDown
	public void tearDown() {
		this.cache.close();
	}

	@Benchmark
	public Object getHit() {
		return this.cache.get("username");
	}

	@Benchmark
	public void set() {
		this.cache.set("written", "value");
	}

}
