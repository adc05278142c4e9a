package io.cacheframework.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.cacheframework.backend.filesystem.FileSystemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The file-system backend's {@code get}/{@code set} against plain {@code Files.readAllBytes}/{@code Files.write}
 * of the same number of bytes, and against the bare atomic-write pattern (temporary file + {@code ATOMIC_MOVE})
 * that the backend builds on, in one run. Values are incompressible random bytes (the backend tries zlib on the
 * 10 KB value and keeps it raw), over 64 keys.
 *
 * <pre>
 * mvn -B -q -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar FileSystemBenchmark
 * </pre>
 *
 * The cache directory defaults to a new directory under {@code java.io.tmpdir}; set
 * {@code -Dbench.fs.dir=/some/dir} (a directory that does not exist yet) to measure another file system.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FileSystemBenchmark {

	private static final int KEYS = 64;

	@Param({ "100", "10240" })
	public int size;

	private Path root;

	private Path plain;

	private FileSystemCacheBackend cache;

	private byte[] value;

	private String[] keys;

	private Path[] plainFiles;

	private Path[] plainTemps;

	private int next;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		String configured = System.getProperty("bench.fs.dir");
		this.root = (configured != null) ? Files.createDirectories(Path.of(configured))
				: Files.createTempDirectory("fs-bench");
		this.plain = Files.createDirectory(this.root.resolve("plain"));
		this.cache = new FileSystemCacheBackend(CacheSettings.builder("bench")
			.location(this.root.resolve("cache").toString())
			.timeout(Timeout.NEVER)
			.maxEntries(100_000)
			.build());
		this.value = new byte[this.size];
		new Random(42).nextBytes(this.value);
		this.keys = new String[KEYS];
		this.plainFiles = new Path[KEYS];
		this.plainTemps = new Path[KEYS];
		for (int i = 0; i < KEYS; i++) {
			this.keys[i] = "key" + i;
			this.plainFiles[i] = this.plain.resolve("file" + i);
			this.plainTemps[i] = this.plain.resolve(".tmp" + i);
			this.cache.set(this.keys[i], this.value);
			Files.write(this.plainFiles[i], this.value);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() throws IOException {
		this.cache.close();
		try (Stream<Path> files = Files.walk(this.root)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
	}

	private int nextIndex() {
		int index = this.next;
		this.next = (index + 1) % KEYS;
		return index;
	}

	@Benchmark
	public Object cacheGet() {
		return this.cache.get(this.keys[nextIndex()]);
	}

	@Benchmark
	public void cacheSet() {
		this.cache.set(this.keys[nextIndex()], this.value);
	}

	@Benchmark
	public byte[] plainReadAllBytes() throws IOException {
		return Files.readAllBytes(this.plainFiles[nextIndex()]);
	}

	@Benchmark
	public Path plainWrite() throws IOException {
		return Files.write(this.plainFiles[nextIndex()], this.value);
	}

	@Benchmark
	public Path plainAtomicWrite() throws IOException {
		int index = nextIndex();
		Files.write(this.plainTemps[index], this.value);
		return Files.move(this.plainTemps[index], this.plainFiles[index], StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
	}

}
