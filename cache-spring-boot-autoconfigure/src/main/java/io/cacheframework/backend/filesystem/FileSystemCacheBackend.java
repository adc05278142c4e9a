package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

import io.cacheframework.backend.filesystem.EntryFormat.Payload;
import io.cacheframework.backend.filesystem.EntryReader.Entry;
import io.cacheframework.backend.filesystem.EntryReader.Status;
import io.cacheframework.backend.filesystem.EntryWriter.Pending;
import io.cacheframework.backend.filesystem.SharedDirectory.Held;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.UnreadableValueException;
import io.cacheframework.serializer.ValueCodec;
import io.cacheframework.serializer.ValueSerializer;
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
 * lengths, CRC32C), the made key and the value's bytes, zlib-compressed when that saves at least 10%.</li>
 * <li><b>Writes</b> go to a temporary file {@code .tmp-<pid>-<random>} in the same directory and are renamed over
 * the entry ({@code ATOMIC_MOVE}), so a reader sees the previous complete file or the new one. A failed write
 * (disk full, I/O error) removes its temporary file and leaves the previous entry as it was.</li>
 * <li><b>Reads</b>: a missing, expired, truncated, corrupt or refused file is a miss; an expired or bad file is
 * removed.</li>
 * <li><b>Atomicity</b>: {@code set}, {@code add}, {@code incr}, {@code touch} and {@code delete} lock the key's
 * stripe (one of 256) in this JVM and, with a record lock on the directory's {@code .cache.lock} file, in every
 * other process; reads take no lock.</li>
 * <li><b>Culling</b>: Django's {@code MAX_ENTRIES}/{@code CULL_FREQUENCY} before every {@code set}, {@code add} and
 * {@code incr}, on an approximate entry count rather than a directory listing per write; one cull at a time across
 * processes. Expired files go first, then the {@code n / CULL_FREQUENCY} least recently written (Django removes
 * random ones).</li>
 * </ul>
 *
 * <p>This class holds the primitives. The entry format is {@code EntryFormat}, reading and checking a file
 * {@code EntryReader}, writing one {@code EntryWriter}, the directory's checks, locks and count
 * {@code SharedDirectory}, culling {@code Culler}, and the operators' view {@code DirectoryInspection}.
 *
 * @since 0.1.0
 */
public class FileSystemCacheBackend extends AbstractCacheBackend {

	private final SharedDirectory directory;

	private final EntryFormat format;

	private final EntryReader reader;

	private final EntryWriter writer;

	private final Culler culler;

	private final DirectoryInspection inspection;

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
	 * @throws InvalidCacheOptionException if an option has a value that cannot be used
	 * @throws IllegalArgumentException if the location is not absolute or not a directory, or the directory is
	 * unsafe (a directory that cannot be created or written does not fail: see the class description)
	 */
	public FileSystemCacheBackend(CacheSettings settings, ValueSerializer serializer, FileSystemOptions options) {
		super(settings);
		Objects.requireNonNull(serializer, "serializer must not be null");
		Objects.requireNonNull(options, "options must not be null");
		options.validate();
		this.format = new EntryFormat(new ValueCodec(serializer), options.getCompressMinBytes(),
				options.getMaxValueBytes(), alias());
		this.directory = SharedDirectory.acquire(DirectorySafety.prepare(settings.location()));
		this.reader = new EntryReader(this.format, settings.clock());
		this.writer = new EntryWriter(this.directory, options.isSyncWrites());
		this.culler = new Culler(this.directory, this.format, settings.clock(), settings.maxEntries(),
				settings.cullFrequency());
		this.inspection = new DirectoryInspection(this.directory, this.format, settings.clock(),
				settings.maxEntries(), settings.cullFrequency());
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
	 * The directory listing, entry count, sizes and health of the cache directory; never a stored value.
	 */
	@Override
	public CacheInspection inspection() {
		return this.inspection;
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
		KeyFile file = keyToFile(key);
		Entry entry = live(file);
		if (entry == null) {
			return NOT_FOUND;
		}
		try {
			return this.format.decode(entry.header, entry.payload().data());
		}
		catch (UnreadableValueException ex) {
			unreadableEntry(key, ex);
			removeIfStillBad(file, entry);
			return NOT_FOUND;
		}
	}

	@Override
	protected boolean doHasKey(String key) {
		// A complete, unexpired file of this key; the value is not deserialized (Django reads only the expiry).
		return live(keyToFile(key)) != null;
	}

	/**
	 * Django's {@code _is_expired}: the key's file if it holds a live entry of that key, else {@code null}, with an
	 * expired or bad file removed (a bad one reported first). Takes no lock, so the removal checks the file again
	 * under the key's stripe.
	 */
	private @Nullable Entry live(KeyFile file) {
		Entry entry = read(file);
		if (entry.status == Status.OK) {
			return entry;
		}
		if (entry.status == Status.CORRUPT) {
			unreadableEntry(file.key, entry.failure);
		}
		if (entry.status != Status.MISSING) {
			removeIfStillBad(file, null);
		}
		return null;
	}

	/**
	 * {@link #live} for a caller that holds the key's stripe: an expired or bad file is removed at once.
	 * @throws IOException if it cannot be removed
	 */
	private @Nullable Entry liveLocked(KeyFile file) throws IOException {
		Entry entry = read(file);
		if (entry.status == Status.OK) {
			return entry;
		}
		if (entry.status == Status.CORRUPT) {
			unreadableEntry(file.key, entry.failure);
		}
		if (entry.status != Status.MISSING) {
			this.directory.deleteEntry(file.path);
		}
		return null;
	}

	/**
	 * Remove an expired or bad file, unless a writer has replaced it since it was read.
	 * @param undecodable a well-formed entry whose value could not be read (refused class, bad zlib data), to be
	 * removed if the file still holds exactly it
	 */
	private void removeIfStillBad(KeyFile file, @Nullable Entry undecodable) {
		try (Held held = lock(file)) {
			Entry again = read(file);
			if (again.status == Status.EXPIRED || again.status == Status.CORRUPT
					|| (undecodable != null && again.sameAs(undecodable))) {
				this.directory.deleteEntry(file.path);
			}
		}
		catch (IOException | CacheAccessException ex) {
			// Left for the next reader or the next cull.
		}
	}

	// ---------------------------------------------------------------- writes

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
		set(key, value, timeout, false);
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		return set(key, value, timeout, true);
	}

	/**
	 * Django's {@code set}: cull if due, write the entry to a temporary file, then move it into place under the
	 * key's stripe, unless {@code onlyIfAbsent} and a live entry is already there.
	 * @return whether the entry was written
	 */
	private boolean set(String key, @Nullable Object value, Timeout timeout, boolean onlyIfAbsent) {
		Payload payload = this.format.encode(value);
		long expiresAt = expiresAt(timeout);
		return write(key, "write", (file) -> {
			cull();
			try (Pending pending = this.writer.prepare(file.path, file.keyBytes, payload, expiresAt);
					Held held = lock(file)) {
				if (onlyIfAbsent && read(file).status == Status.OK) {
					return false;
				}
				pending.install();
				return true;
			}
		});
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		long expiresAt = expiresAt(timeout);
		return write(key, "touch", (file) -> {
			try (Held held = lock(file)) {
				Entry entry = liveLocked(file);
				if (entry == null) {
					return false;
				}
				// Rewrite the whole file (same payload, new expiry) rather than patch it in place, so a reader never
				// sees a half-updated header.
				this.writer.replace(file.path, file.keyBytes, entry.payload(), expiresAt);
				return true;
			}
		});
	}

	@Override
	protected boolean doDelete(String key) {
		return write(key, "delete", (file) -> {
			try (Held held = lock(file)) {
				return this.directory.deleteEntry(file.path);
			}
		});
	}

	@Override
	protected long doIncr(String key, String rawKey, long delta) {
		return write(key, "increment", (file) -> {
			cull();
			try (Held held = lock(file)) {
				Entry entry = liveLocked(file);
				if (entry == null) {
					throw notFound(rawKey);
				}
				Object current;
				try {
					current = this.format.decode(entry.header, entry.payload().data());
				}
				catch (UnreadableValueException ex) {
					unreadableEntry(key, ex);
					this.directory.deleteEntry(file.path);
					throw notFound(rawKey);
				}
				Number updated = addToNumber(current, delta, rawKey);
				// Django's base incr stores with the default timeout (the entry's TTL is reset).
				this.writer.replace(file.path, file.keyBytes, this.format.encode(updated),
						expiresAt(settings().timeout()));
				return updated.longValue();
			}
		});
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

	/**
	 * Run a write of a key's file. An I/O failure fails the call ({@link CacheAccessException}); any failure of a
	 * directory that was usable checks it again, so that if it cannot be written any more (it became read-only),
	 * reads turn into misses from now on and an entry that a failed {@code delete} left behind is never served.
	 * @param action what the write does, for the message
	 */
	private <T> T write(String key, String action, FileWrite<T> write) {
		String path = null;
		try {
			KeyFile file = keyToFile(key);
			path = file.path.toString();
			return write.run(file);
		}
		catch (IOException ex) {
			throw writeFailed(new CacheAccessException("Cannot " + action + " " + path + ": " + ex, ex));
		}
		catch (CacheAccessException ex) {
			throw writeFailed(ex);
		}
	}

	private CacheAccessException writeFailed(CacheAccessException ex) {
		// An unusable directory was just probed by the call that failed (SharedDirectory.checkUsable).
		if (this.directory.isUsable()) {
			this.directory.probe();
		}
		return ex;
	}

	/**
	 * Django's {@code _cull}, before every {@code set}, {@code add} and {@code incr}. A failed cull does not fail the
	 * write; the next write tries again.
	 */
	private void cull() {
		try {
			int removed = this.culler.cullIfDue();
			if (removed > 0) {
				recordEvictions(removed);
			}
		}
		catch (IOException | CacheAccessException ex) {
			storeFailed("cull", ex);
		}
	}

	// ---------------------------------------------------------------- keys and files

	/**
	 * Django's {@code _key_to_file}: the file and lock stripe of a made key, once the directory is usable.
	 * @throws CacheAccessException if the directory cannot be used
	 */
	private KeyFile keyToFile(String key) {
		this.directory.checkUsable();
		byte[] keyBytes = EntryFormat.keyBytes(key);
		byte[] digest = EntryFormat.digest(keyBytes);
		return new KeyFile(key, keyBytes, this.directory.path.resolve(EntryFormat.fileName(digest)),
				digest[0] & 0xff);
	}

	private Entry read(KeyFile file) {
		return this.reader.read(file.path, file.keyBytes);
	}

	private Held lock(KeyFile file) throws IOException {
		return this.directory.lockStripe(file.stripe);
	}

	/**
	 * A made key's entry file and lock stripe.
	 */
	private record KeyFile(String key, byte[] keyBytes, Path path, int stripe) {
	}

	@FunctionalInterface
	private interface FileWrite<T> {

		T run(KeyFile file) throws IOException;

	}

}
