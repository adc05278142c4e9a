package io.cacheframework.backend.filesystem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;

/**
 * The workload of the multi-process tests, run both in the test JVM and in child JVMs started with the test
 * class path. Values are self-checking: {@code [magic][key index][length][writer][seq] ... [CRC32 of the rest]},
 * so a reader can tell a complete value of the right key from a torn, mixed or misplaced one.
 */
final class FileSystemCacheWorker {

	static final int KEYS = 50;

	private static final int MAGIC = 0x5AFE_CAFE;

	private static final byte[] NOISE = new byte[1 << 20];

	static {
		new java.util.Random(42).nextBytes(NOISE);
	}

	private FileSystemCacheWorker() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[1]);
		switch (args[0]) {
			case "stress" -> {
				Result result = stress(dir, Long.parseLong(args[2]), Integer.parseInt(args[3]));
				System.out.println(result);
			}
			case "writer" -> writeUntilKilled(dir, Integer.parseInt(args[2]));
			case "incr" -> {
				long[] result = incrAndAdd(dir, Integer.parseInt(args[2]), Path.of(args[3]));
				System.out.println("RESULT incr=" + result[0] + " adds=" + result[1]);
			}
			default -> throw new IllegalArgumentException(args[0]);
		}
		System.out.flush();
		System.exit(0);
	}

	static FileSystemCacheBackend open(Path dir) {
		return open(dir, new FileSystemOptions());
	}

	static FileSystemCacheBackend open(Path dir, FileSystemOptions options) {
		return new FileSystemCacheBackend(CacheSettings.builder("stress").location(dir.toString())
			.timeout(Timeout.NEVER)
			.maxEntries(100_000)
			.build(), new io.cacheframework.serializer.DefaultValueSerializer(), options);
	}

	/**
	 * 4 writer threads set 1 KB–1 MB values (log-uniform sizes, half compressible) on 50 keys; 4 reader threads
	 * check every value they get.
	 */
	static Result stress(Path dir, long millis, int writer) throws InterruptedException {
		Result result = new Result();
		try (FileSystemCacheBackend cache = open(dir)) {
			long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int thread = t;
				threads.add(new Thread(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					long seq = 0;
					while (System.nanoTime() < end) {
						try {
							int key = random.nextInt(KEYS);
							int size = (int) (1024 * Math.pow(2, random.nextDouble() * 10));
							cache.set("k" + key, value(key, size, writer * 10 + thread, seq++, random.nextBoolean()));
							result.writes.incrementAndGet();
						}
						catch (Throwable ex) {
							result.exception(ex);
						}
					}
				}));
				threads.add(new Thread(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					while (System.nanoTime() < end) {
						try {
							int key = random.nextInt(KEYS);
							Object value = cache.get("k" + key);
							result.reads.incrementAndGet();
							if (value != null) {
								result.hits.incrementAndGet();
								String problem = check(key, value);
								if (problem != null) {
									result.corrupt.incrementAndGet();
									result.exception(new IllegalStateException(problem));
								}
							}
						}
						catch (Throwable ex) {
							result.exception(ex);
						}
					}
				}));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
			result.errors.set(cache.statistics().errors());
		}
		return result;
	}

	/**
	 * Set values of 16 KB–1 MB on 20 keys (plus touch, delete, add and incr) as fast as possible until killed.
	 */
	static void writeUntilKilled(Path dir, int writer) {
		// No compression: the writer then spends most of its time writing files, where a kill matters most.
		FileSystemOptions options = new FileSystemOptions();
		options.setCompressMinBytes(-1);
		FileSystemCacheBackend cache = open(dir, options);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		cache.set("counter", 0L);
		System.out.println("READY");
		System.out.flush();
		for (long seq = 0;; seq++) {
			int key = random.nextInt(20);
			int size = (int) (16 * 1024 * Math.pow(2, random.nextDouble() * 6));
			switch ((int) (seq % 8)) {
				case 5 -> cache.touch("k" + key, Timeout.NEVER);
				case 6 -> cache.delete("k" + key);
				case 7 -> cache.add("k" + key, value(key, size, writer, seq, random.nextBoolean()));
				default -> cache.set("k" + key, value(key, size, writer, seq, random.nextBoolean()));
			}
			try {
				cache.incr("counter");
			}
			catch (NoSuchElementException ex) {
				cache.set("counter", 0L);
			}
		}
	}

	/**
	 * Wait for {@code go}, then 4 threads: {@code perProcess} increments of "counter" in total, and one
	 * {@code add} attempt on each of 200 lock keys per thread.
	 * @return increments done, adds won
	 */
	static long[] incrAndAdd(Path dir, int perProcess, Path go) throws Exception {
		try (FileSystemCacheBackend cache = open(dir)) {
			System.out.println("READY");
			System.out.flush();
			while (!Files.exists(go)) {
				Thread.sleep(5);
			}
			AtomicLong increments = new AtomicLong();
			AtomicLong adds = new AtomicLong();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				threads.add(new Thread(() -> {
					for (int i = 0; i < perProcess / 4; i++) {
						cache.incr("counter");
						increments.incrementAndGet();
						if (i < 200 && cache.add("lock-" + i, ProcessHandle.current().pid())) {
							adds.incrementAndGet();
						}
					}
				}));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
			return new long[] { increments.get(), adds.get() };
		}
	}

	static byte[] value(int key, int size, int writer, long seq, boolean compressible) {
		byte[] value = new byte[Math.max(32, size)];
		ThreadLocalRandom random = ThreadLocalRandom.current();
		if (compressible) {
			byte fill = (byte) random.nextInt();
			for (int i = 24; i < value.length - 8; i += 64) {
				value[i] = fill;
			}
		}
		else {
			int from = random.nextInt(NOISE.length - value.length + 1);
			System.arraycopy(NOISE, from, value, 0, value.length);
		}
		ByteBuffer buffer = ByteBuffer.wrap(value);
		buffer.putInt(0, MAGIC).putInt(4, key).putInt(8, value.length).putInt(12, writer).putLong(16, seq);
		CRC32 crc = new CRC32();
		crc.update(value, 0, value.length - 8);
		buffer.putLong(value.length - 8, crc.getValue());
		return value;
	}

	/**
	 * @return what is wrong with a value read for a key, or {@code null} if it is a complete value of that key
	 */
	static String check(int key, Object read) {
		if (!(read instanceof byte[] value)) {
			return "not a byte[]: " + read.getClass();
		}
		if (value.length < 32) {
			return "too short: " + value.length;
		}
		ByteBuffer buffer = ByteBuffer.wrap(value);
		if (buffer.getInt(0) != MAGIC || buffer.getInt(8) != value.length) {
			return "bad magic or length";
		}
		if (buffer.getInt(4) != key) {
			return "value of key " + buffer.getInt(4) + " read for key " + key;
		}
		CRC32 crc = new CRC32();
		crc.update(value, 0, value.length - 8);
		if (buffer.getLong(value.length - 8) != crc.getValue()) {
			return "checksum mismatch";
		}
		return null;
	}

	/**
	 * Start this class's {@code main} in a new JVM with the test class path.
	 */
	static Process spawn(String... args) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(FileSystemCacheWorker.class.getName());
		command.addAll(List.of(args));
		return new ProcessBuilder(command).redirectErrorStream(true).start();
	}

	/**
	 * Read a child's output until a line starting with {@code prefix}; fails if the child ends first.
	 */
	static String awaitLine(Process process, BufferedReader reader, String prefix, StringBuilder transcript)
			throws IOException {
		String line;
		while ((line = reader.readLine()) != null) {
			transcript.append(line).append('\n');
			if (line.startsWith(prefix)) {
				return line;
			}
		}
		throw new IllegalStateException("Child JVM ended (exit " + waitFor(process) + ") without printing '" + prefix
				+ "':\n" + transcript);
	}

	static BufferedReader reader(Process process) {
		return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	private static int waitFor(Process process) {
		try {
			return process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	static final class Result {

		final AtomicLong writes = new AtomicLong();

		final AtomicLong reads = new AtomicLong();

		final AtomicLong hits = new AtomicLong();

		final AtomicLong corrupt = new AtomicLong();

		final AtomicLong exceptions = new AtomicLong();

		final AtomicLong errors = new AtomicLong();

		volatile String firstProblem = "";

		void exception(Throwable ex) {
			if (this.exceptions.getAndIncrement() == 0) {
				this.firstProblem = String.valueOf(ex).replace('\n', ' ');
			}
		}

		static Result parse(String line) {
			Result result = new Result();
			for (String part : line.substring("RESULT ".length()).split(" ", 7)) {
				String[] pair = part.split("=", 2);
				switch (pair[0]) {
					case "writes" -> result.writes.set(Long.parseLong(pair[1]));
					case "reads" -> result.reads.set(Long.parseLong(pair[1]));
					case "hits" -> result.hits.set(Long.parseLong(pair[1]));
					case "corrupt" -> result.corrupt.set(Long.parseLong(pair[1]));
					case "exceptions" -> result.exceptions.set(Long.parseLong(pair[1]));
					case "errors" -> result.errors.set(Long.parseLong(pair[1]));
					case "first" -> result.firstProblem = pair[1];
					default -> {
					}
				}
			}
			return result;
		}

		@Override
		public String toString() {
			return "RESULT writes=" + this.writes + " reads=" + this.reads + " hits=" + this.hits + " corrupt="
					+ this.corrupt + " exceptions=" + this.exceptions + " errors=" + this.errors + " first="
					+ this.firstProblem;
		}

	}

}
