package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.cacheframework.backend.filesystem.EntryFormat.Header;
import io.cacheframework.backend.filesystem.SharedDirectory.Held;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.core.ValueNotStorableException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueSerializer;
import io.cacheframework.serializer.Zlib;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code FileBasedCache}: one file per key in a directory, safe for many threads and many processes
 * sharing that directory.
 *
 * <ul>
 * <li><b>Location</b>: an absolute directory, created with mode 0700 (missing parents too); entry files are 0600.
 * A directory that is a symbolic link, not a directory, group- or world-writable, or owned by another user is
 * refused when the backend is created. One that cannot be created or written (a read-only mount, no permission) is
 * not: the backend starts, logs it, and every read is a miss and every write fails until the directory can be
 * written, which each call checks again.</li>
 * <li><b>Files</b>: {@code <sha-256 of the made key, hex>.cache}, holding a header (magic, format version, expiry,
 * lengths, CRC32C), the made key and the serializer's bytes, zlib-compressed when that saves at least 10%.</li>
 * <li><b>Writes</b> go to a temporary file {@code .tmp-<pid>-<random>} in the same directory and are renamed over
 * the entry ({@code ATOMIC_MOVE}), so a reader sees the previous complete file or the new one. A failed write
 * (disk full, I/O error) removes its temporary file and leaves the previous entry as it was.</li>
 * <li><b>Reads</b>: a missing, expired, truncated, corrupt or refused file is a miss; an expired or bad file is
 * removed.</li>
 * <li><b>Atomicity</b>: {@code set}, {@code add}, {@code incr}, {@code touch} and {@code delete} lock the key's
 * stripe (one of 256) in this JVM and, with a record lock on the directory's {@code .cache.lock} file, in every
 * other process; reads take no lock.</li>
 * <li><b>Culling</b>: Django's {@code MAX_ENTRIES}/{@code CULL_FREQUENCY} before every {@code set} and {@code add},
 * on an approximate entry count rather than a directory listing per write; one cull at a time across processes.
 * Expired files go first, then the {@code n / CULL_FREQUENCY} least recently written (Django removes random
 * ones).</li>
 * </ul>
 *
 * @since 0.1.0
 */
public class FileSystemCacheBackend extends AbstractCacheBackend implements CacheInspection {

	private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

	private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW,
			StandardOpenOption.WRITE);

	private final ValueSerializer serializer;

	private final SharedDirectory directory;

	private final int maxEntries;

	private final int cullFrequency;

	private final int relistInterval;

	private final long compressMinBytes;

	private final long maxValueBytes;

	private final boolean syncWrites;

	/**
	 * Create a backend with the default serializer and options.
	 * @param settings the settings; {@code location} is the absolute directory
	 * @throws IllegalArgumentException if the location is not absolute or not a directory, or the directory is
	 * unsafe (a directory that cannot be created or written does not fail: see the class description)
	 */
	public FileSystemCacheBackend(CacheSettings settings) {
		this(settings, new DefaultValueSerializer(), new FileSystemOptions());
	}

	/**
	 * Create a backend with the default options.
	 * @param settings the settings; {@code location} is the absolute directory
	 * @param serializer turns values into bytes and back
	 * @throws IllegalArgumentException if the location is not absolute or not a directory, or the directory is
	 * unsafe (a directory that cannot be created or written does not fail: see the class description)
	 */
	public FileSystemCacheBackend(CacheSettings settings, ValueSerializer serializer) {
		this(settings, serializer, new FileSystemOptions());
	}

	/**
	 * Create a backend.
	 * @param settings the settings; {@code location} is the absolute directory
	 * @param serializer turns values into bytes and back
	 * @param options file-system specific options
	 * @throws io.cacheframework.core.InvalidCacheOptionException if an option has a value that cannot be used
	 * @throws IllegalArgumentException if the location is not absolute or not a directory, or the directory is
	 * unsafe (a directory that cannot be created or written does not fail: see the class description)
	 */
	public FileSystemCacheBackend(CacheSettings settings, ValueSerializer serializer, FileSystemOptions options) {
		super(settings);
		this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
		Objects.requireNonNull(options, "options must not be null");
		options.validate();
		this.maxEntries = settings.maxEntries();
		this.cullFrequency = settings.cullFrequency();
		this.relistInterval = Math.max(16, this.maxEntries / 8);
		this.compressMinBytes = options.getCompressMinBytes();
		this.maxValueBytes = options.getMaxValueBytes();
		this.syncWrites = options.isSyncWrites();
		this.directory = SharedDirectory.acquire(SharedDirectory.prepare(settings.location()));
		if (!this.directory.isUsable()) {
			this.logger.warn("Cache '" + alias() + "' (filesystem) cannot use its directory " + this.directory.path
					+ " (" + this.directory.problem() + "): every read is a miss and every write fails until it can;"
					+ " it is tried again on each call");
		}
	}

	@Override
	public String backendName() {
		return "filesystem";
	}

	@Override
	protected Object storeIdentity() {
		return this.directory;
	}

	/**
	 * The cache directory (its real path).
	 * @return the directory
	 */
	public Path directory() {
		return this.directory.path;
	}

	/**
	 * The approximate number of entries in the directory, as this JVM last saw it.
	 * @return the entry count
	 */
	public int approximateSize() {
		return Math.max(0, this.directory.count.get());
	}

	/**
	 * How many times this JVM listed the directory (for tests).
	 */
	int listings() {
		return this.directory.listings.get();
	}

	/**
	 * The file that holds a made key.
	 * @param madeKey the made key, e.g. {@code :1:username}
	 * @return the path of its entry file
	 */
	Path pathOf(String madeKey) {
		return this.directory.path.resolve(EntryFormat.fileName(EntryFormat.digest(EntryFormat.keyBytes(madeKey))));
	}

	// ---------------------------------------------------------------- reads

	@Override
	protected @Nullable Object doGet(String key) {
		Target target = target(key);
		Stored stored = read(target, now());
		if (stored.status != Status.OK) {
			return miss(target, stored);
		}
		try {
			return decode(stored);
		}
		catch (UnreadableValueException ex) {
			unreadableEntry(key, ex);
			removeIfStillBad(target, stored);
			return NOT_FOUND;
		}
	}

	@Override
	protected boolean doHasKey(String key) {
		// A complete, unexpired file; the value is not deserialized (Django reads only the expiry).
		Target target = target(key);
		Stored stored = read(target, now());
		if (stored.status != Status.OK) {
			miss(target, stored);
			return false;
		}
		return true;
	}

	private Object miss(Target target, Stored stored) {
		if (stored.status == Status.CORRUPT) {
			unreadableEntry(target.key, stored.failure);
			removeIfStillBad(target, null);
		}
		else if (stored.status == Status.EXPIRED) {
			removeIfStillBad(target, null);
		}
		return NOT_FOUND;
	}

	/**
	 * Remove an expired or bad file, unless a writer has replaced it since it was read.
	 * @param undecodable a well-formed entry whose value could not be read (refused class, bad zlib data), to be
	 * removed if the file still holds exactly it
	 */
	private void removeIfStillBad(Target target, @Nullable Stored undecodable) {
		try (Held held = this.directory.lockStripe(target.stripe)) {
			Stored again = read(target, now());
			if (again.status == Status.EXPIRED || again.status == Status.CORRUPT
					|| (undecodable != null && again.sameAs(undecodable))) {
				deleteFile(target.path);
			}
		}
		catch (IOException | CacheAccessException ex) {
			// Left for the next reader or the next cull.
		}
	}

	private @Nullable Object decode(Stored stored) {
		byte[] payload = stored.payload();
		if (stored.header.compressed()) {
			payload = Zlib.decompress(payload, stored.header.rawLength());
			if (payload.length != stored.header.rawLength()) {
				throw new UnreadableValueException("inflated to " + payload.length + " bytes, header says "
						+ stored.header.rawLength());
			}
		}
		return this.serializer.deserialize(payload);
	}

	/**
	 * Read and check a whole entry file, in one read.
	 * @throws CacheAccessException on an I/O error other than a missing file
	 */
	private Stored read(Target target, long now) {
		try (FileChannel channel = FileChannel.open(target.path, READ)) {
			long size = channel.size();
			if (size < EntryFormat.HEADER_SIZE || size > EntryFormat.HEADER_SIZE + EntryFormat.MAX_KEY_BYTES
					+ this.maxValueBytes + 1024) {
				// Parsing gives the precise reason without reading an oversized file.
				ByteBuffer header = ByteBuffer.allocate(EntryFormat.HEADER_SIZE);
				readFully(channel, header);
				EntryFormat.parse(header, size, this.maxValueBytes);
				throw new UnreadableValueException("entry file of " + size + " bytes is too large");
			}
			byte[] file = new byte[(int) size];
			readFully(channel, ByteBuffer.wrap(file));
			Header header = EntryFormat.parse(ByteBuffer.wrap(file), size, this.maxValueBytes);
			if (header.isExpired(now)) {
				return new Stored(Status.EXPIRED, header, null, null);
			}
			EntryFormat.verify(file, header);
			if (header.keyLength() != target.keyBytes.length || !Arrays.equals(file, EntryFormat.HEADER_SIZE,
					EntryFormat.HEADER_SIZE + header.keyLength(), target.keyBytes, 0, target.keyBytes.length)) {
				throw new UnreadableValueException("the file holds another key");
			}
			return new Stored(Status.OK, header, file, null);
		}
		catch (NoSuchFileException ex) {
			return Stored.MISSING;
		}
		catch (UnreadableValueException ex) {
			return new Stored(Status.CORRUPT, null, null, ex);
		}
		catch (IOException ex) {
			if (Files.isSymbolicLink(target.path)) {
				// NOFOLLOW_LINKS refused it: nobody but this user can write here, and we never create links.
				return new Stored(Status.CORRUPT, null, null,
						new UnreadableValueException("the entry is a symbolic link"));
			}
			throw new CacheAccessException("Cannot read " + target.path + ": " + ex, ex);
		}
	}

	private static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer) < 0) {
				throw new UnreadableValueException("truncated entry file");
			}
		}
	}

	// ---------------------------------------------------------------- writes

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		try {
			write(key, value, timeout, false);
		}
		catch (CacheAccessException ex) {
			throw writeFailed(ex);
		}
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		try {
			return write(key, value, timeout, true);
		}
		catch (CacheAccessException ex) {
			throw writeFailed(ex);
		}
	}

	/**
	 * A write failed: find out whether the directory can still be written. If it cannot (it became read-only),
	 * reads turn into misses from now on, so an entry that a failed {@code delete} left behind is never served.
	 */
	private CacheAccessException writeFailed(CacheAccessException ex) {
		this.directory.probe();
		return ex;
	}

	/**
	 * Write an entry: encode it, cull if due, write a temp file, then move it into place under the key's stripe
	 * lock, unless {@code onlyIfAbsent} and a live entry is already there.
	 * @return whether the entry was written
	 */
	private boolean write(String key, @Nullable Object value, Timeout timeout, boolean onlyIfAbsent) {
		Encoded encoded = encode(value);
		long expiresAt = expiresAt(timeout);
		Target target = target(key);
		maybeCull();
		Path temp = writeTemp(target, encoded.payload, encoded.compressed, encoded.rawLength, expiresAt);
		try (Held held = this.directory.lockStripe(target.stripe)) {
			if (onlyIfAbsent && read(target, now()).status == Status.OK) {
				return false;
			}
			install(temp, target.path);
			temp = null;
			return true;
		}
		catch (IOException ex) {
			throw new CacheAccessException("Cannot write " + target.path + ": " + ex, ex);
		}
		finally {
			deleteTemp(temp);
		}
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		long expiresAt = expiresAt(timeout);
		Target target = target(key);
		try (Held held = this.directory.lockStripe(target.stripe)) {
			Stored stored = read(target, now());
			if (stored.status != Status.OK) {
				if (stored.status != Status.MISSING) {
					if (stored.status == Status.CORRUPT) {
						unreadableEntry(key, stored.failure);
					}
					deleteFile(target.path);
				}
				return false;
			}
			// Rewrite the whole file (same payload, new expiry) rather than patch it in place, so a reader never
			// sees a half-updated header.
			Path temp = writeTemp(target, stored.payload(), stored.header.compressed(), stored.header.rawLength(),
					expiresAt);
			try {
				install(temp, target.path);
				temp = null;
			}
			finally {
				deleteTemp(temp);
			}
			return true;
		}
		catch (IOException ex) {
			throw writeFailed(new CacheAccessException("Cannot touch " + target.path + ": " + ex, ex));
		}
		catch (CacheAccessException ex) {
			throw writeFailed(ex);
		}
	}

	@Override
	protected boolean doDelete(String key) {
		Target target = target(key);
		try (Held held = this.directory.lockStripe(target.stripe)) {
			return deleteFile(target.path);
		}
		catch (IOException ex) {
			throw writeFailed(new CacheAccessException("Cannot delete " + target.path + ": " + ex, ex));
		}
	}

	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		Target target = target(key);
		maybeCull();
		try (Held held = this.directory.lockStripe(target.stripe)) {
			Stored stored = read(target, now());
			if (stored.status != Status.OK) {
				if (stored.status != Status.MISSING) {
					if (stored.status == Status.CORRUPT) {
						unreadableEntry(key, stored.failure);
					}
					deleteFile(target.path);
				}
				throw notFound(rawKey);
			}
			Object current;
			try {
				current = decode(stored);
			}
			catch (UnreadableValueException ex) {
				unreadableEntry(key, ex);
				deleteFile(target.path);
				throw notFound(rawKey);
			}
			Number updated = addToNumber(current, delta, rawKey);
			Encoded encoded = encode(updated);
			// Django's base incr stores with the default timeout (the entry's TTL is reset).
			Path temp = writeTemp(target, encoded.payload, encoded.compressed, encoded.rawLength,
					expiresAt(settings().timeout()));
			try {
				install(temp, target.path);
				temp = null;
			}
			finally {
				deleteTemp(temp);
			}
			return updated.longValue();
		}
		catch (IOException ex) {
			throw writeFailed(new CacheAccessException("Cannot increment " + target.path + ": " + ex, ex));
		}
		catch (CacheAccessException ex) {
			throw writeFailed(ex);
		}
	}

	@Override
	protected void doClear() {
		this.directory.checkUsable();
		int removed = 0;
		try {
			for (Path file : this.directory.listEntries()) {
				if (Files.deleteIfExists(file)) {
					removed++;
				}
			}
			this.directory.sweepTempFiles();
		}
		catch (NoSuchFileException ex) {
			// The directory itself is gone: nothing to clear.
		}
		catch (IOException ex) {
			throw writeFailed(new CacheAccessException("Cannot clear " + this.directory.path + ": " + ex, ex));
		}
		finally {
			this.directory.count.set(0);
		}
		if (this.logger.isDebugEnabled()) {
			this.logger.debug("Cache '" + alias() + "' cleared " + removed + " entries");
		}
	}

	@Override
	protected void doClose() {
		this.directory.release();
	}

	private Encoded encode(@Nullable Object value) {
		byte[] raw = this.serializer.serialize(value);
		if (raw.length > this.maxValueBytes) {
			throw new ValueNotStorableException("Cannot cache a value of " + raw.length + " bytes serialized in cache '"
					+ alias() + "': the limit (max-value-bytes) is " + this.maxValueBytes);
		}
		if (this.compressMinBytes >= 0 && raw.length >= this.compressMinBytes) {
			byte[] compressed = Zlib.compress(raw);
			// Keep it only when worth it: incompressible data (already compressed, random) stays as it is.
			if (compressed.length <= raw.length - raw.length / 10) {
				return new Encoded(compressed, true, raw.length);
			}
		}
		return new Encoded(raw, false, raw.length);
	}

	/**
	 * Write a complete entry to a new temporary file in the cache directory.
	 * @return the temporary file
	 * @throws CacheAccessException if it cannot be written (nothing is left behind)
	 */
	private Path writeTemp(Target target, byte[] payload, boolean compressed, int rawLength, long expiresAt) {
		ByteBuffer[] buffers = { EntryFormat.header(target.keyBytes, payload, compressed, rawLength, expiresAt),
				ByteBuffer.wrap(target.keyBytes), ByteBuffer.wrap(payload) };
		for (int attempt = 0;; attempt++) {
			Path temp = this.directory.path.resolve(SharedDirectory.tempName(ThreadLocalRandom.current().nextLong()));
			boolean created = false;
			try (FileChannel channel = FileChannel.open(temp, CREATE_NEW, this.directory.fileAttributes())) {
				created = true;
				long remaining = 0;
				for (ByteBuffer buffer : buffers) {
					remaining += buffer.remaining();
				}
				while (remaining > 0) {
					remaining -= channel.write(buffers);
				}
				if (this.syncWrites) {
					channel.force(true);
				}
				return temp;
			}
			catch (NoSuchFileException ex) {
				if (created || attempt > 0) {
					deleteTemp(created ? temp : null);
					throw new CacheAccessException("Cannot write a temporary file in " + this.directory.path + ": "
							+ ex, ex);
				}
				// The directory was removed under us (Django re-creates it on every write too).
				try {
					this.directory.recreate();
				}
				catch (IOException | IllegalArgumentException recreateFailure) {
					throw new CacheAccessException("Cache directory " + this.directory.path + " is gone and cannot"
							+ " be re-created: " + recreateFailure, recreateFailure);
				}
			}
			catch (IOException ex) {
				// Disk full, quota, I/O error: this write fails alone and leaves nothing behind.
				if (created) {
					deleteTemp(temp);
				}
				throw new CacheAccessException("Cannot write a temporary file in " + this.directory.path + ": " + ex,
						ex);
			}
		}
	}

	/**
	 * Move a complete temporary file over the entry. Must hold the key's stripe.
	 */
	private void install(Path temp, Path target) throws IOException {
		boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
		try {
			Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("the file system cannot rename atomically within " + this.directory.path, ex);
		}
		if (this.syncWrites) {
			syncDirectory();
		}
		if (!existed) {
			this.directory.count.incrementAndGet();
		}
		this.directory.writesSinceListing.incrementAndGet();
	}

	private void syncDirectory() {
		try (FileChannel channel = FileChannel.open(this.directory.path, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Not every platform can sync a directory; the entry is written either way.
		}
	}

	private boolean deleteFile(Path path) throws IOException {
		if (Files.deleteIfExists(path)) {
			this.directory.count.decrementAndGet();
			return true;
		}
		return false;
	}

	private static void deleteTemp(@Nullable Path temp) {
		if (temp != null) {
			try {
				Files.deleteIfExists(temp);
			}
			catch (IOException ex) {
				// Swept later (at startup or during a cull).
			}
		}
	}

	// ---------------------------------------------------------------- culling

	/**
	 * Django's {@code _cull} before a write, on the approximate count: list the directory only when the count says
	 * the cache is full, or every {@code max(16, MAX_ENTRIES / 8)} writes to see other processes' entries.
	 */
	private void maybeCull() {
		if (this.directory.count.get() < this.maxEntries
				&& this.directory.writesSinceListing.get() < this.relistInterval) {
			return;
		}
		Held cullLock = this.directory.tryLockCull();
		if (cullLock == null) {
			return;
		}
		try (cullLock) {
			List<Path> entries = this.directory.listEntries();
			this.directory.sweepTempFiles();
			if (entries.size() < this.maxEntries) {
				return;
			}
			cull(entries);
		}
		catch (IOException | CacheAccessException ex) {
			// A failed cull does not fail the write; the next write tries again.
			storeFailed("cull", ex);
		}
	}

	private void cull(List<Path> entries) throws IOException {
		int removed = 0;
		if (this.cullFrequency == 0) {
			for (Path file : entries) {
				if (deleteFile(file)) {
					removed++;
				}
			}
			recordEvictions(removed);
			return;
		}
		long now = now();
		List<Candidate> live = new ArrayList<>(entries.size());
		for (Path file : entries) {
			Candidate candidate = inspect(file, now);
			if (candidate == null) {
				continue;
			}
			if (candidate.expired) {
				if (deleteFile(file)) {
					removed++;
				}
			}
			else {
				live.add(candidate);
			}
		}
		if (live.size() >= this.maxEntries) {
			live.sort(Comparator.comparingLong(Candidate::modified));
			int victims = live.size() / this.cullFrequency;
			for (int i = 0; i < victims; i++) {
				if (deleteFile(live.get(i).file)) {
					removed++;
				}
			}
		}
		recordEvictions(removed);
	}

	/**
	 * Expiry and age of an entry file, from its header only; {@code null} if it vanished. Unreadable headers count
	 * as expired.
	 */
	private @Nullable Candidate inspect(Path file, long now) {
		try (FileChannel channel = FileChannel.open(file, READ)) {
			FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
			ByteBuffer headerBuffer = ByteBuffer.allocate(EntryFormat.HEADER_SIZE);
			try {
				readFully(channel, headerBuffer);
				Header header = EntryFormat.parse(headerBuffer, channel.size(), this.maxValueBytes);
				return new Candidate(file, modified.toMillis(), header.isExpired(now));
			}
			catch (UnreadableValueException ex) {
				return new Candidate(file, modified.toMillis(), true);
			}
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			return new Candidate(file, Long.MIN_VALUE, false);
		}
	}

	// ---------------------------------------------------------------- helpers

	private long now() {
		return settings().clock().millis();
	}

	private Target target(String key) {
		this.directory.checkUsable();
		byte[] keyBytes = EntryFormat.keyBytes(key);
		byte[] digest = EntryFormat.digest(keyBytes);
		return new Target(key, keyBytes, this.directory.path.resolve(EntryFormat.fileName(digest)),
				digest[0] & 0xff);
	}

	private record Target(String key, byte[] keyBytes, Path path, int stripe) {
	}

	private record Encoded(byte[] payload, boolean compressed, int rawLength) {
	}

	// ---------------------------------------------------------------- inspection (Actuator)

	/**
	 * A directory listing, reading only each file's header and key (never the payload): the made key, the stored
	 * payload length and the expiry. Expired, unreadable and vanished files are skipped.
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		List<KeyInfo> keys = new ArrayList<>();
		long now = now();
		try {
			for (Path file : this.directory.listEntries()) {
				if (keys.size() >= limit) {
					break;
				}
				KeyInfo key = readKeyInfo(file, now);
				if (key != null) {
					keys.add(key);
				}
			}
		}
		catch (IOException ex) {
			throw new CacheAccessException("Cannot list cache directory " + directory() + ": " + ex.getMessage(), ex);
		}
		return keys;
	}

	private @Nullable KeyInfo readKeyInfo(Path file, long now) {
		try (FileChannel channel = FileChannel.open(file, READ)) {
			long size = channel.size();
			ByteBuffer headerBuffer = ByteBuffer.allocate(EntryFormat.HEADER_SIZE);
			while (headerBuffer.hasRemaining() && channel.read(headerBuffer) >= 0) {
				// Read the whole header.
			}
			Header header = EntryFormat.parse(headerBuffer, size, this.maxValueBytes);
			if (header.isExpired(now)) {
				return null;
			}
			ByteBuffer key = ByteBuffer.allocate(header.keyLength());
			while (key.hasRemaining() && channel.read(key) >= 0) {
				// Read the whole key.
			}
			return new KeyInfo(new String(key.array(), java.nio.charset.StandardCharsets.UTF_8),
					(long) header.storedLength(), (header.expiresAt() == Long.MAX_VALUE) ? null
							: java.time.Instant.ofEpochMilli(header.expiresAt()));
		}
		catch (IOException | UnreadableValueException ex) {
			return null;
		}
	}

	/**
	 * The entry files in the directory (expired ones included until culled or read).
	 */
	@Override
	public Long entryCount() {
		try {
			return (long) this.directory.listEntries().size();
		}
		catch (IOException ex) {
			throw new CacheAccessException("Cannot list cache directory " + directory() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * The sizes of the entry files.
	 */
	@Override
	public Long byteCount() {
		long bytes = 0;
		try {
			for (Path file : this.directory.listEntries()) {
				try {
					bytes += Files.size(file);
				}
				catch (NoSuchFileException ex) {
					// Deleted since the listing.
				}
			}
		}
		catch (IOException ex) {
			throw new CacheAccessException("Cannot list cache directory " + directory() + ": " + ex.getMessage(), ex);
		}
		return bytes;
	}

	@Override
	public java.util.Map<String, Object> inspectionDetails() {
		return java.util.Map.of("directory", directory().toString(), "maxEntries", this.maxEntries, "cullFrequency",
				this.cullFrequency);
	}

	/**
	 * The directory exists, is writable and was usable at the last probe.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		Path path = directory();
		String component = "directory " + path;
		if (!this.directory.isUsable() && !this.directory.probe()) {
			return List.of(ComponentHealth.down(component, String.valueOf(this.directory.problem())));
		}
		if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
			return List.of(ComponentHealth.down(component, "missing"));
		}
		if (!Files.isWritable(path)) {
			return List.of(ComponentHealth.down(component, "not writable"));
		}
		return List.of(ComponentHealth.up(component, java.util.Map.of("approximateEntries", approximateSize())));
	}

	private record Candidate(Path file, long modified, boolean expired) {
	}

	private enum Status {

		OK, MISSING, EXPIRED, CORRUPT

	}

	private static final class Stored {

		static final Stored MISSING = new Stored(Status.MISSING, null, null, null);

		final Status status;

		final Header header;

		/** The whole file. */
		private final byte @Nullable [] body;

		final UnreadableValueException failure;

		@SuppressWarnings("NullAway")
		Stored(Status status, @Nullable Header header, byte @Nullable [] body,
				@Nullable UnreadableValueException failure) {
			this.status = status;
			this.header = header;
			this.body = body;
			this.failure = failure;
		}

		boolean sameAs(Stored other) {
			return this.status == Status.OK && other.status == Status.OK && this.header.equals(other.header)
					&& Arrays.equals(this.body, other.body);
		}

		byte[] payload() {
			byte[] all = Objects.requireNonNull(this.body);
			return Arrays.copyOfRange(all, EntryFormat.HEADER_SIZE + this.header.keyLength(), all.length);
		}

	}

}
