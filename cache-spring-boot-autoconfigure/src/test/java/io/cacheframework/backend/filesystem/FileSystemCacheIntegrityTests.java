package io.cacheframework.backend.filesystem;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import fscanary.FileCacheCanary;
import io.cacheframework.backend.filesystem.EntryFormat.Payload;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.ValueCodec.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What the file-system backend promises about its files: permissions, refusal of unsafe directories, the entry
 * format, and that nothing hostile or broken in the directory is ever read as a value (RELIABILITY.md §7 C2, C5,
 * F1).
 */
class FileSystemCacheIntegrityTests {

	private static final long NOW = Instant.parse("2026-11-22T18:00:00Z").toEpochMilli();

	@TempDir
	Path dir;

	private final MutableClock clock = new MutableClock(NOW);

	private FileSystemCacheBackend cache(Path location) {
		return cache(location, 300, 3);
	}

	private FileSystemCacheBackend cache(Path location, int maxEntries, int cullFrequency) {
		return new FileSystemCacheBackend(CacheSettings.builder("test").location(location.toString())
			.clock(this.clock)
			.maxEntries(maxEntries)
			.cullFrequency(cullFrequency)
			.build());
	}

	// ---------------------------------------------------------------- permissions and unsafe directories

	@Test
	void directoriesAreCreated0700WithParentsAndFiles0600() throws Exception {
		Path location = this.dir.resolve("a/b/cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("username", "guyan");
			assertThat(mode(this.dir.resolve("a"))).isEqualTo("rwx------");
			assertThat(mode(this.dir.resolve("a/b"))).isEqualTo("rwx------");
			assertThat(mode(location)).isEqualTo("rwx------");
			assertThat(mode(cache.pathOf(":1:username"))).isEqualTo("rw-------");
			assertThat(mode(location.resolve(EntryFormat.LOCK_FILE))).isEqualTo("rw-------");
		}
	}

	@Test
	void permissionsDoNotDependOnTheUmask() throws Exception {
		// A permissive umask would make mkdir's mode 0777 & ~umask; the backend sets the mode explicitly. The JVM's
		// umask cannot be changed from Java, so check the documented rule on a directory that the backend re-creates
		// after it was removed.
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("a", 1);
			for (Path file : list(location)) {
				Files.delete(file);
			}
			Files.delete(location);
			cache.set("b", 2);
			assertThat(cache.get("b")).isEqualTo(2);
			assertThat(mode(location)).isEqualTo("rwx------");
			assertThat(mode(cache.pathOf(":1:b"))).isEqualTo("rw-------");
		}
	}

	@Test
	void worldWritableDirectoryIsRefused() throws Exception {
		Path location = Files.createDirectory(this.dir.resolve("open"));
		Files.setPosixFilePermissions(location, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThatIllegalArgumentException().isThrownBy(() -> cache(location))
			.withMessageContaining("Refusing unsafe cache directory " + location)
			.withMessageContaining("world-writable");
		assertThat(list(location)).as("nothing written into a refused directory").isEmpty();
	}

	@Test
	void groupWritableDirectoryIsRefused() throws Exception {
		Path location = Files.createDirectory(this.dir.resolve("group"));
		Files.setPosixFilePermissions(location, PosixFilePermissions.fromString("rwxrwx---"));
		assertThatIllegalArgumentException().isThrownBy(() -> cache(location)).withMessageContaining("group-writable");
	}

	@Test
	void directoryOwnedByAnotherUserIsRefused() throws Exception {
		Path location = Files.createDirectory(this.dir.resolve("theirs"));
		// uid 65534 (nobody): changing the owner needs root, which the test machines and CI run as.
		Process chown = new ProcessBuilder("chown", "65534", location.toString()).redirectErrorStream(true).start();
		String output = new String(chown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(chown.waitFor()).as("chown failed: %s", output).isZero();
		assertThatIllegalArgumentException().isThrownBy(() -> cache(location))
			.withMessageContaining("is owned by")
			.withMessageContaining("uid 65534");
	}

	@Test
	void symbolicLinkIsRefused() throws Exception {
		Path real = Files.createDirectory(this.dir.resolve("real"));
		Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
		Path link = Files.createSymbolicLink(this.dir.resolve("link"), real);
		assertThatIllegalArgumentException().isThrownBy(() -> cache(link)).withMessageContaining("symbolic link");
	}

	@Test
	void regularFileRelativeAndEmptyLocationsAreRefused() throws Exception {
		Path file = Files.writeString(this.dir.resolve("file"), "x");
		assertThatIllegalArgumentException().isThrownBy(() -> cache(file)).withMessageContaining("not a directory");
		assertThatIllegalArgumentException().isThrownBy(() -> cache(Path.of("relative/cache")))
			.withMessageContaining("relative path");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new FileSystemCacheBackend(CacheSettings.builder("x").build()))
			.withMessageContaining("absolute directory");
	}

	// ---------------------------------------------------------------- entry format

	@Test
	void entryFileIsNamedBySha256OfTheMadeKeyAndHasAChecksummedHeader() throws Exception {
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("username", "guyan", Timeout.seconds(120));
			String sha = HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(":1:username".getBytes(StandardCharsets.UTF_8)));
			Path file = location.resolve(sha + ".cache");
			assertThat(cache.pathOf(":1:username")).isEqualTo(file);
			byte[] bytes = Files.readAllBytes(file);
			ByteBuffer header = ByteBuffer.wrap(bytes);
			assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("CSBF");
			assertThat(header.getShort(4)).isEqualTo((short) 1);
			assertThat(header.getShort(6)).as("flags: not compressed").isZero();
			assertThat(header.getLong(8)).isEqualTo(NOW + 120_000);
			assertThat(header.getInt(16)).isEqualTo(11);
			assertThat(new String(bytes, 32, 11, StandardCharsets.UTF_8)).isEqualTo(":1:username");
			// The payload is the serializer's bytes: a String tag then UTF-8.
			assertThat(header.getInt(20)).isEqualTo(6);
			assertThat(header.getInt(24)).isEqualTo(6);
			assertThat(new String(bytes, 44, 5, StandardCharsets.UTF_8)).isEqualTo("guyan");
			assertThat(bytes).hasSize(32 + 11 + 6);
			java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
			crc.update(bytes, 0, 28);
			crc.update(bytes, 32, bytes.length - 32);
			assertThat(header.getInt(28)).isEqualTo((int) crc.getValue());
		}
	}

	/**
	 * Files written by format 1 as it was before the backend was split into its helpers (issue 13), byte for byte:
	 * they must read back, and the same value written again must give the same bytes, so that a cache directory
	 * survives an upgrade. Written at {@link #NOW} with a 120 s timeout, except {@code text} (never expires).
	 */
	@Test
	void filesOfFormatOneReadBackAndAreWrittenByteForByte() throws Exception {
		java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
		java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
		values.put("text", "guyan");
		files.put("text",
				"43534246000100007fffffffffffffff0000000700000006000000063f3f1fdc3a313a7465787401"
						+ "677579616e");
		values.put("int", 42);
		files.put("int", "4353424600010000000001a2046c0dc0000000060000000500000005f51378603a313a696e74020000002a");
		values.put("long", 1L << 40);
		files.put("long",
				"4353424600010000000001a2046c0dc00000000700000009000000096ec1658e3a313a6c6f6e6703"
						+ "0000010000000000");
		values.put("bytes", new byte[] { 1, 2, 3 });
		files.put("bytes", "4353424600010000000001a2046c0dc00000000800000004000000040c18e9af3a313a627974657304010203");
		values.put("null", null);
		files.put("null", "4353424600010000000001a2046c0dc000000007000000010000000143d000103a313a6e756c6c00");
		values.put("compressed", "spam and eggs ".repeat(100));
		files.put("compressed",
				"4353424600010001000001a2046c0dc00000000d0000002200000579b945ffa63a313a636f6d7072"
						+ "6573736564789c632c2e48cc5548cc4b51484d4f2f5618e58df24679a3bc511ead7900ae71eb79");
		values.put("list", new ArrayList<>(List.of("a", 1)));
		files.put("list",
				"4353424600010000000001a2046c0dc0000000070000008c0000008c8e99cdc03a313a6c69737410"
						+ "aced0005737200136a6176612e7574696c2e41727261794c6973747881d21d99c7619d0300014900"
						+ "0473697a6578700000000277040000000274000161737200116a6176612e6c616e672e496e746567"
						+ "657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d6265"
						+ "7286ac951d0b94e08b02000078700000000178");
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			for (String key : values.keySet()) {
				byte[] file = HexFormat.of().parseHex(files.get(key));
				Files.write(cache.pathOf(":1:" + key), file);
				assertThat(cache.hasKey(key)).as(key).isTrue();
				assertThat(cache.get(key)).as(key).isEqualTo(values.get(key));
				cache.delete(key);
				cache.set(key, values.get(key), key.equals("text") ? Timeout.NEVER : Timeout.seconds(120));
				assertThat(HexFormat.of().formatHex(Files.readAllBytes(cache.pathOf(":1:" + key)))).as(key)
					.isEqualTo(files.get(key));
			}
			assertThat(cache.statistics().errors()).isZero();
		}
	}

	@Test
	void compressesOnlyWhenWorthIt() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			String text = "spam and eggs ".repeat(1000);
			cache.set("text", text);
			byte[] random = new byte[20_000];
			new Random(1).nextBytes(random);
			cache.set("random", random);
			cache.set("small", "x".repeat(500));
			assertThat(flags(cache.pathOf(":1:text"))).isEqualTo(EntryFormat.FLAG_COMPRESSED);
			assertThat(Files.size(cache.pathOf(":1:text"))).isLessThan(1000);
			assertThat(flags(cache.pathOf(":1:random"))).isZero();
			assertThat(flags(cache.pathOf(":1:small"))).as("below compress-min-bytes").isZero();
			assertThat(cache.get("text")).isEqualTo(text);
			assertThat(cache.get("random")).isEqualTo(random);
			assertThat(cache.get("small")).isEqualTo("x".repeat(500));
		}
	}

	// ---------------------------------------------------------------- broken and hostile files

	@Test
	void truncatedFilesAreMissesAndRemoved() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			for (int length : new int[] { 0, 7, 31, 32, 40 }) {
				cache.set("k", "spam and eggs ".repeat(100));
				Path file = cache.pathOf(":1:k");
				byte[] bytes = Files.readAllBytes(file);
				Files.write(file, java.util.Arrays.copyOf(bytes, Math.min(length, bytes.length)));
				assertThat(cache.get("k")).as("truncated to %d bytes", length).isNull();
				assertThat(file).as("removed after truncation to %d bytes", length).doesNotExist();
			}
			cache.set("k", "spam and eggs ".repeat(100));
			Path file = cache.pathOf(":1:k");
			byte[] bytes = Files.readAllBytes(file);
			Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
			assertThat(cache.hasKey("k")).isFalse();
			assertThat(file).doesNotExist();
			assertThat(cache.statistics().errors()).isEqualTo(6);
		}
	}

	@Test
	void flippedBytesAnywhereAreMissesAndRemoved() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			cache.set("k", "guyan");
			int length = (int) Files.size(cache.pathOf(":1:k"));
			for (int position = 0; position < length; position++) {
				cache.set("k", "guyan");
				Path file = cache.pathOf(":1:k");
				byte[] bytes = Files.readAllBytes(file);
				bytes[position] ^= 0x10;
				Files.write(file, bytes);
				assertThat(cache.get("k")).as("byte %d flipped", position).isNull();
				assertThat(file).as("removed after byte %d flipped", position).doesNotExist();
			}
		}
	}

	@Test
	void appendedBytesAndAnotherKeysFileAreRefused() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			cache.set("k", "guyan");
			Path file = cache.pathOf(":1:k");
			Files.write(file, new byte[] { 1 }, java.nio.file.StandardOpenOption.APPEND);
			assertThat(cache.get("k")).isNull();
			assertThat(file).doesNotExist();
			// A complete, valid file moved under another key's name is not that key's value.
			cache.set("other", "secret");
			Files.copy(cache.pathOf(":1:other"), file);
			assertThat(cache.get("k")).isNull();
			assertThat(file).doesNotExist();
			assertThat(cache.get("other")).isEqualTo("secret");
		}
	}

	@Test
	void expiredFilesAreMissesAndRemoved() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			cache.set("k", "v", Timeout.seconds(10));
			this.clock.millis = NOW + 9_999;
			assertThat(cache.get("k")).isEqualTo("v");
			this.clock.millis = NOW + 10_000;
			assertThat(cache.get("k")).isNull();
			assertThat(cache.pathOf(":1:k")).doesNotExist();
			cache.set("h", "v", Timeout.seconds(1));
			this.clock.millis += 1_000;
			assertThat(cache.hasKey("h")).isFalse();
			assertThat(cache.pathOf(":1:h")).doesNotExist();
			assertThat(cache.statistics().errors()).as("expiry is not an error").isZero();
		}
	}

	@Test
	void classOutsideTheAllowListIsNeverDeserialized() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			// What an attacker with write access to the directory could plant: a well-formed entry (right name, key,
			// lengths and checksum) whose payload is a Java-serialized object of a class that is not allowed.
			ByteArrayOutputStream serialized = new ByteArrayOutputStream();
			serialized.write(16);
			try (ObjectOutputStream out = new ObjectOutputStream(serialized)) {
				out.writeObject(new FileCacheCanary());
			}
			Path file = plant(cache, ":1:canary", serialized.toByteArray(), Long.MAX_VALUE);
			assertThat(cache.get("canary")).isNull();
			assertThat(FileCacheCanary.EXECUTED).as("the canary's readObject ran").isFalse();
			assertThat(file).doesNotExist();
			assertThat(cache.statistics().errors()).isEqualTo(1);
			// The same planted bytes compressed: still refused, still not run.
			Path compressed = plant(cache, ":1:canary2", serialized.toByteArray(), Long.MAX_VALUE, true);
			assertThat(cache.get("canary2")).isNull();
			assertThat(FileCacheCanary.EXECUTED).isFalse();
			assertThat(compressed).doesNotExist();
		}
	}

	@Test
	void zlibBombIsRefusedBeforeInflatingIt() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			byte[] huge = new byte[50 * 1024 * 1024];
			byte[] bomb = io.cacheframework.serializer.Zlib.compress(huge);
			// The header claims 100 bytes; the data inflates to 50 MB: reading stops at 100.
			byte[] key = EntryFormat.keyBytes(":1:bomb");
			Path file = cache.pathOf(":1:bomb");
			write(file, EntryFormat.header(key, new Payload(Kind.JAVA, true, 100, bomb), Long.MAX_VALUE), key, bomb);
			assertThat(cache.get("bomb")).isNull();
			assertThat(file).doesNotExist();
		}
	}

	// ---------------------------------------------------------------- temporary files, clear, culling

	@Test
	void strayTemporaryFilesAreSweptAtStartupButALiveWritersAreKept() throws Exception {
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("k", "v");
		}
		Process dead = new ProcessBuilder("true").start();
		dead.waitFor();
		Path deadWriters = Files.write(location.resolve(EntryFormat.TEMP_PREFIX + dead.pid() + "-1f"), new byte[10]);
		Path live = Files.write(location.resolve(SharedDirectory.tempName(7)), new byte[10]);
		Path ancient = Files.write(location.resolve(SharedDirectory.tempName(8)), new byte[10]);
		Files.setLastModifiedTime(ancient, FileTime.fromMillis(System.currentTimeMillis() - 2 * 3600_000L));
		try (FileSystemCacheBackend cache = cache(location)) {
			assertThat(deadWriters).doesNotExist();
			assertThat(ancient).doesNotExist();
			assertThat(live).as("a live writer's temporary file").exists();
			assertThat(cache.get("k")).isEqualTo("v");
		}
	}

	@Test
	void clearRemovesOnlyEntryFiles() throws Exception {
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location)) {
			cache.set("a", 1);
			cache.set("b", 2);
			Path notes = Files.writeString(location.resolve("notes.txt"), "keep me");
			Path lookalike = Files.writeString(location.resolve("0123.cache"), "not ours either");
			cache.clear();
			assertThat(cache.get("a")).isNull();
			assertThat(cache.hasKey("b")).isFalse();
			assertThat(notes).exists();
			assertThat(lookalike).exists();
			assertThat(location.resolve(EntryFormat.LOCK_FILE)).exists();
			assertThat(location).isDirectory();
			assertThat(cache.approximateSize()).isZero();
			cache.set("c", 3);
			assertThat(cache.get("c")).isEqualTo(3);
		}
	}

	@Test
	void cullRemovesExpiredEntriesFirstThenTheOldest() throws Exception {
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location, 10, 2)) {
			for (int i = 0; i < 10; i++) {
				cache.set("k" + i, i, Timeout.seconds((i < 3) ? 5 : 1000));
				Files.setLastModifiedTime(cache.pathOf(":1:k" + i), FileTime.fromMillis(NOW - 100_000 + i * 1000));
			}
			this.clock.millis = NOW + 5_000;
			// Full: the 3 expired files go, 7 remain, below the maximum, so nothing else is culled.
			cache.set("new1", "x");
			assertThat(entryCount(location)).isEqualTo(8);
			for (int i = 3; i < 10; i++) {
				assertThat(cache.hasKey("k" + i)).isTrue();
			}
			cache.set("new2", "x");
			cache.set("new3", "x");
			// 10 live entries: 10 / 2 = 5 victims, the least recently written (k3..k7).
			cache.set("new4", "x");
			assertThat(entryCount(location)).isEqualTo(6);
			for (int i = 3; i < 8; i++) {
				assertThat(cache.hasKey("k" + i)).as("k%d culled", i).isFalse();
			}
			assertThat(cache.hasKey("k8")).isTrue();
			assertThat(cache.hasKey("new4")).isTrue();
			assertThat(cache.statistics().evictions()).isEqualTo(8);
		}
	}

	@Test
	void djangoCullCountsHold() throws Exception {
		// CONFORMANCE item 31: MAX_ENTRIES=30, set cull1..cull49 -> 29 left (frequency 3), 19 (frequency 0).
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cull"), 30, 3)) {
			for (int i = 1; i < 50; i++) {
				cache.set("cull" + i, "value", Timeout.seconds(1000));
			}
			assertThat(countHits(cache)).isEqualTo(29);
		}
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("zero"), 30, 0)) {
			for (int i = 1; i < 50; i++) {
				cache.set("cull" + i, "value", Timeout.seconds(1000));
			}
			assertThat(countHits(cache)).isEqualTo(19);
		}
	}

	@Test
	void writesDoNotListTheDirectory() throws Exception {
		// Django globs the directory on every set; here 1000 new entries under a maximum of 2000 list it once per
		// max(16, 2000 / 8) = 250 writes.
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"), 2000, 3)) {
			int before = cache.listings();
			for (int i = 0; i < 1000; i++) {
				cache.set("k" + i, i);
			}
			assertThat(cache.listings() - before).isBetween(1, 4);
			assertThat(cache.approximateSize()).isEqualTo(1000);
		}
	}

	@Test
	void otherProcessesEntriesAreCountedByPeriodicListing() throws Exception {
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location, 100, 2)) {
			// Entries this JVM did not write (another process) are not in the count until the next listing.
			for (int i = 0; i < 150; i++) {
				plant(cache, ":1:foreign" + i, new byte[] { 1, 'x' }, Long.MAX_VALUE);
			}
			assertThat(cache.approximateSize()).isZero();
			for (int i = 0; i < 17; i++) {
				cache.set("own" + i, i);
			}
			// The 17th write re-listed (every max(16, MAX_ENTRIES / 8) writes), found it full and culled half.
			assertThat(entryCount(location)).isLessThan(100);
		}
	}

	@Test
	void cullingUnderConcurrentWritesAndReadsStaysBoundedWithoutErrors() throws Exception {
		// RELIABILITY §7 C4, bounded by count instead of time: 4 threads set new keys while 4 threads get, hasKey
		// and touch keys that culls are removing under them.
		Path location = this.dir.resolve("cache");
		try (FileSystemCacheBackend cache = cache(location, 200, 3)) {
			List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int writer = t;
				threads.add(new Thread(() -> {
					try {
						for (int i = 0; i < 250; i++) {
							cache.set("w" + writer + "-" + i, i);
						}
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}));
				threads.add(new Thread(() -> {
					try {
						java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
						for (int i = 0; i < 250; i++) {
							String key = "w" + random.nextInt(4) + "-" + random.nextInt(250);
							Object value = cache.get(key);
							assertThat(value).isIn(null, Integer.valueOf(key.substring(key.indexOf('-') + 1)));
							cache.hasKey(key);
							cache.touch(key, Timeout.seconds(1000));
						}
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
			assertThat(failures).isEmpty();
			assertThat(cache.statistics().errors()).isZero();
			assertThat(cache.statistics().evictions()).isPositive();
			// One cull at a time; writes that meet a running cull go on without culling, so a few may overshoot.
			assertThat(entryCount(location)).isLessThanOrEqualTo(230);
			assertThat(FileSystemCacheMultiProcessTests.tempFiles(location)).isEmpty();
		}
	}

	@Test
	void valuesOverTheLimitAreNotStoredAndLeaveNothing() throws Exception {
		Path location = this.dir.resolve("cache");
		FileSystemOptions options = new FileSystemOptions();
		options.setMaxValueBytes(1000);
		try (FileSystemCacheBackend cache = new FileSystemCacheBackend(
				CacheSettings.builder("t").location(location.toString()).build(),
				new io.cacheframework.serializer.DefaultValueSerializer(), options)) {
			assertThatExceptionOfType(ValueNotStorableException.class).isThrownBy(() -> cache.set("big", "x".repeat(1000)))
				.withMessageContaining("max-value-bytes");
			assertThat(cache.get("big")).isNull();
			assertThat(cache.setMany(java.util.Map.of("big", new byte[2000], "small", "ok"))).containsExactly("big");
			assertThat(cache.get("small")).isEqualTo("ok");
			assertThat(entryCount(location)).isEqualTo(1);
			assertThat(FileSystemCacheMultiProcessTests.tempFiles(location)).isEmpty();
		}
	}

	@Test
	void incrAndAddAreAtomicAcrossThreads() throws Exception {
		try (FileSystemCacheBackend cache = cache(this.dir.resolve("cache"))) {
			cache.set("n", 0L);
			AtomicInteger wins = new AtomicInteger();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				threads.add(new Thread(() -> {
					for (int i = 0; i < 100; i++) {
						cache.incr("n");
						if (cache.add("once" + i, Thread.currentThread().getName())) {
							wins.incrementAndGet();
						}
					}
				}));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
			assertThat(cache.get("n")).isEqualTo(800L);
			assertThat(wins.get()).isEqualTo(100);
			assertThat(cache.statistics().errors()).isZero();
		}
	}

	// ---------------------------------------------------------------- helpers

	private static Path plant(FileSystemCacheBackend cache, String madeKey, byte[] payload, long expiresAt)
			throws Exception {
		return plant(cache, madeKey, payload, expiresAt, false);
	}

	private static Path plant(FileSystemCacheBackend cache, String madeKey, byte[] payload, long expiresAt,
			boolean compress) throws Exception {
		byte[] key = EntryFormat.keyBytes(madeKey);
		byte[] stored = compress ? io.cacheframework.serializer.Zlib.compress(payload) : payload;
		Path file = cache.pathOf(madeKey);
		write(file, EntryFormat.header(key, new Payload(Kind.JAVA, compress, payload.length, stored), expiresAt), key,
				stored);
		return file;
	}

	private static void write(Path file, ByteBuffer header, byte[] key, byte[] payload) throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write(header.array(), 0, header.limit());
		bytes.write(key);
		bytes.write(payload);
		Files.write(file, bytes.toByteArray());
	}

	private static int countHits(FileSystemCacheBackend cache) {
		int hits = 0;
		for (int i = 1; i < 50; i++) {
			if (cache.hasKey("cull" + i)) {
				hits++;
			}
		}
		return hits;
	}

	private static int flags(Path file) throws Exception {
		return ByteBuffer.wrap(Files.readAllBytes(file)).getShort(6);
	}

	private static String mode(Path path) throws Exception {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	private static List<Path> list(Path dir) throws Exception {
		try (Stream<Path> files = Files.list(dir)) {
			return files.toList();
		}
	}

	private static long entryCount(Path dir) throws Exception {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> EntryFormat.isEntryName(file.getFileName().toString())).count();
		}
	}

	static final class MutableClock extends Clock {

		volatile long millis;

		MutableClock(long millis) {
			this.millis = millis;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(this.millis);
		}

		@Override
		public long millis() {
			return this.millis;
		}

	}

}
