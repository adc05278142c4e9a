package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.cacheframework.core.CacheAccessException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One cache directory as seen by this JVM, shared by every file-system backend configured with it: whether it can
 * be used, the lock file and the in-JVM locks that go with it, its listing (entries, stray temporary files) and the
 * approximate entry count.
 *
 * <p>Locking: {@code add}, {@code incr}, {@code touch}, {@code set} and {@code delete} of a key hold one of 256
 * stripes, chosen by the first byte of the key's SHA-256. A stripe is a {@link ReentrantLock} (threads of this JVM)
 * plus a POSIX record lock on byte {@code stripe} of the directory's lock file (other processes, released by the
 * kernel if the process dies), polled rather than waited for (see {@link #lockFile}). Both are needed: record locks
 * belong to a process, so they do not exclude threads of the same JVM, and Java refuses overlapping locks from one JVM. The JVM keeps one lock-file channel per directory,
 * because closing any channel of a file releases every lock the process holds on it. Byte 256 is the cull lock,
 * taken with {@code tryLock} so that at most one process culls at a time and nobody waits for it.
 *
 * <p>Availability: a directory that is missing and cannot be created, or cannot be written (a read-only mount,
 * no permission), does not fail startup. It is <em>unusable</em>: every read is a miss and every write fails (a
 * read would otherwise serve an entry that a failed {@code delete} should have removed), until a {@link #probe()}
 * finds it writable again. A probe runs at startup, on each call while the directory is unusable, and after a
 * write fails while it was usable; it creates the directory if needed, checks it, opens the lock file and creates and removes a
 * temporary file, all of which fail at once on a read-only file system.
 */
final class SharedDirectory {

	static final int STRIPES = 256;

	private static final long CULL_POSITION = STRIPES;

	/** How long a write waits for its key's lock before it fails (a hung process may hold it). */
	static final long LOCK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** A temporary file older than this is swept whoever wrote it (a writer never takes this long). */
	private static final long STALE_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);

	private static final Map<Path, SharedDirectory> directories = new ConcurrentHashMap<>();

	private static final Log logger = LogFactory.getLog(FileSystemCacheBackend.class);

	static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

	final Path path;

	final boolean posix;

	/** Entries in the directory, kept up to date by this JVM's writes and corrected by every listing. */
	final AtomicInteger count = new AtomicInteger();

	/** Directory listings made for counting or culling (tests check that writes do not list). */
	final AtomicInteger listings = new AtomicInteger();

	/** Writes since the last listing, to re-list now and then and see other processes' entries. */
	final AtomicInteger writesSinceListing = new AtomicInteger();

	private final AtomicBoolean culling = new AtomicBoolean();

	private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

	private final Path lockPath;

	private volatile @Nullable FileChannel lockChannel;

	/** Whether the last {@link #probe()} found the directory safe and writable. */
	private volatile boolean usable;

	/** Why the directory is unusable, for messages; {@code null} when it is usable. */
	private volatile @Nullable String problem = "not checked yet";

	private final ReentrantLock probeLock = new ReentrantLock();

	/** Whether a probe ran yet (guarded by {@link #probeLock}). */
	private boolean probed;

	private int users;

	private SharedDirectory(Path path) {
		this.path = path;
		this.posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
		this.lockPath = path.resolve(EntryFormat.LOCK_FILE);
		for (int i = 0; i < STRIPES; i++) {
			this.stripes[i] = new ReentrantLock();
		}
		probe();
	}

	/**
	 * The shared state of a prepared directory (usable or not, see {@link #isUsable()}).
	 * @param canonicalPath the directory's real path, or for a directory that does not exist yet the real path of
	 * its nearest existing parent followed by the missing names
	 */
	static SharedDirectory acquire(Path canonicalPath) {
		return directories.compute(canonicalPath, (path, existing) -> {
			SharedDirectory directory = (existing != null) ? existing : new SharedDirectory(path);
			directory.users++;
			return directory;
		});
	}

	/**
	 * Whether the directory was usable at the last probe.
	 */
	boolean isUsable() {
		return this.usable;
	}

	/**
	 * Why the directory is unusable, or {@code null}.
	 */
	@Nullable String problem() {
		return this.problem;
	}

	/**
	 * Fail unless the directory is usable, probing it again if it was not.
	 * @throws CacheAccessException if it is still unusable
	 */
	void checkUsable() {
		if (this.usable) {
			return;
		}
		// One caller probes, the others fail at once: during an outage no call queues behind another's syscalls.
		if (this.probeLock.tryLock()) {
			try {
				if (probe()) {
					return;
				}
			}
			finally {
				this.probeLock.unlock();
			}
		}
		throw new CacheAccessException("Cache directory " + this.path + " cannot be used: " + this.problem);
	}

	/**
	 * Find out whether the directory can be used now: create it if it is missing (and its lock file with it), check
	 * that it is safe, open the lock file, and create and remove a temporary file. Logs when the directory stops or
	 * starts being usable; the first time it becomes usable, leftover temporary files are swept and entries counted.
	 * @return whether it is usable
	 */
	boolean probe() {
		this.probeLock.lock();
		try {
			return probeLocked();
		}
		finally {
			this.probeLock.unlock();
		}
	}

	private boolean probeLocked() {
		String failure = null;
		try {
			if (!Files.isDirectory(this.path, LinkOption.NOFOLLOW_LINKS)) {
				DirectorySafety.createMissing(this.path, this.posix);
				// A new directory has a new lock file: a channel to the old one would exclude nobody.
				FileChannel old = this.lockChannel;
				this.lockChannel = null;
				closeQuietly(old);
			}
			DirectorySafety.checkSafe(this.path, this.posix);
			FileChannel channel = this.lockChannel;
			if (channel == null || !channel.isOpen()) {
				this.lockChannel = openLockChannel();
			}
			Path probe = this.path.resolve(tempName(ThreadLocalRandom.current().nextLong()));
			Files.newByteChannel(probe, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
					fileAttributes()).close();
			Files.delete(probe);
		}
		catch (IOException | IllegalArgumentException | UnsupportedOperationException ex) {
			failure = (ex instanceof IllegalArgumentException) ? ex.getMessage() : ex.toString();
		}
		boolean wasUsable = this.usable;
		boolean first = !this.probed;
		this.probed = true;
		this.problem = failure;
		if (failure != null) {
			this.usable = false;
			if (wasUsable) {
				logger.warn("Cache directory " + this.path + " cannot be used any more (" + failure
						+ "): reads are misses and writes fail until it can");
			}
			return false;
		}
		if (!wasUsable) {
			try {
				sweepTempFiles();
				this.count.set(listEntries().size());
			}
			catch (IOException ex) {
				// Counted again by the next listing.
			}
			if (!first) {
				logger.info("Cache directory " + this.path + " can be used again");
			}
		}
		this.usable = true;
		return true;
	}

	void release() {
		directories.computeIfPresent(this.path, (path, directory) -> {
			if (--directory.users > 0) {
				return directory;
			}
			closeQuietly(directory.lockChannel);
			return null;
		});
	}

	// ---------------------------------------------------------------- files

	/**
	 * Attributes for new files: owner read/write only.
	 */
	FileAttribute<?>[] fileAttributes() {
		return this.posix ? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE) }
				: new FileAttribute<?>[0];
	}

	/**
	 * The entry files of the directory (never temporary files, the lock file, or files that are not ours).
	 */
	List<Path> listEntries() throws IOException {
		this.listings.incrementAndGet();
		List<Path> entries = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(this.path)) {
			for (Path file : stream) {
				if (EntryFormat.isEntryName(file.getFileName().toString())) {
					entries.add(file);
				}
			}
		}
		this.count.set(entries.size());
		this.writesSinceListing.set(0);
		return entries;
	}

	/**
	 * Count an entry file moved into place.
	 * @param replaced whether it replaced an existing entry file
	 */
	void entryWritten(boolean replaced) {
		if (!replaced) {
			this.count.incrementAndGet();
		}
		this.writesSinceListing.incrementAndGet();
	}

	/**
	 * Remove an entry file, if it is still there, and count it.
	 * @return whether it was there
	 */
	boolean deleteEntry(Path file) throws IOException {
		if (Files.deleteIfExists(file)) {
			this.count.decrementAndGet();
			return true;
		}
		return false;
	}

	/**
	 * Remove temporary files left by writers that died: those of a process that no longer runs, and any older
	 * than an hour. A live writer's file is left alone.
	 * @return how many were removed
	 */
	int sweepTempFiles() throws IOException {
		int removed = 0;
		long self = ProcessHandle.current().pid();
		long now = System.currentTimeMillis();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(this.path, EntryFormat.TEMP_PREFIX + "*")) {
			for (Path file : stream) {
				long pid = writerPid(file.getFileName().toString());
				boolean stale;
				if (pid != self && pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
					stale = true;
				}
				else {
					try {
						FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
						stale = now - modified.toMillis() > STALE_TEMP_MILLIS;
					}
					catch (NoSuchFileException ex) {
						continue;
					}
				}
				if (stale && Files.deleteIfExists(file)) {
					removed++;
				}
			}
		}
		return removed;
	}

	static String tempName(long random) {
		return EntryFormat.TEMP_PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(random);
	}

	private static long writerPid(String name) {
		int start = EntryFormat.TEMP_PREFIX.length();
		int end = name.indexOf('-', start);
		if (end < 0) {
			return -1;
		}
		try {
			return Long.parseLong(name, start, end, 10);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	// ---------------------------------------------------------------- locks

	/**
	 * Lock a stripe against other threads and other processes, waiting at most {@link #LOCK_TIMEOUT_NANOS}.
	 * @throws IOException if the lock cannot be had in time (a hung process holds it) or the lock file fails
	 */
	Held lockStripe(int stripe) throws IOException {
		ReentrantLock local = this.stripes[stripe];
		try {
			if (!local.tryLock(LOCK_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
				throw new IOException("timed out waiting for lock stripe " + stripe + " in this JVM");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while waiting for lock stripe " + stripe, ex);
		}
		try {
			FileLock fileLock = lockFile(stripe, true);
			if (fileLock == null) {
				throw new IOException("timed out waiting for lock stripe " + stripe + " held by another process");
			}
			return new Held(local, null, fileLock);
		}
		catch (IOException | RuntimeException | Error ex) {
			local.unlock();
			throw ex;
		}
	}

	/**
	 * Take the cull lock if nobody in this JVM or another process holds it.
	 * @return the lock, or {@code null} if a cull is already running
	 */
	@Nullable Held tryLockCull() {
		if (!this.culling.compareAndSet(false, true)) {
			return null;
		}
		try {
			FileLock lock = lockFile(CULL_POSITION, false);
			if (lock != null) {
				return new Held(null, this.culling, lock);
			}
		}
		catch (IOException | RuntimeException ex) {
			// No cull this time; the next write tries again.
		}
		this.culling.set(false);
		return null;
	}

	/**
	 * Lock one byte of the lock file. Waiting is done by polling {@code tryLock} (F_SETLK), never with a blocking
	 * {@code lock} (F_SETLKW): the kernel's deadlock detection treats a whole process as one lock owner, so two
	 * multi-threaded processes each holding one stripe while another of their threads waits for the other's stripe
	 * get a false {@code EDEADLK} ("Resource deadlock avoided"). Contention here is only between processes (threads
	 * of this JVM are already serialized by the stripe's {@link ReentrantLock}), so short polls cost little.
	 * @return the lock, or {@code null} if it is held elsewhere and {@code wait} is false or the wait timed out
	 */
	private @Nullable FileLock lockFile(long position, boolean wait) throws IOException {
		// An interrupted thread would close the shared channel (FileChannel is interruptible), dropping every
		// lock this JVM holds on it: hold interrupts back while locking and restore them after.
		boolean interrupted = Thread.interrupted();
		try {
			long deadline = System.nanoTime() + LOCK_TIMEOUT_NANOS;
			long pause = 20_000;
			boolean reopened = false;
			while (true) {
				interrupted |= Thread.interrupted();
				FileChannel channel = this.lockChannel;
				FileLock lock;
				try {
					if (channel == null) {
						throw new ClosedChannelException();
					}
					lock = channel.tryLock(position, 1, false);
				}
				catch (ClosedChannelException ex) {
					if (reopened) {
						throw ex;
					}
					reopen(channel);
					reopened = true;
					continue;
				}
				if (lock != null || !wait) {
					return lock;
				}
				if (System.nanoTime() - deadline > 0) {
					return null;
				}
				LockSupport.parkNanos(pause);
				// A low cap: the other process's threads hand a busy stripe to each other within microseconds, so a
				// waiter that polls rarely can starve until its timeout; polling every 0.2 ms costs one cheap syscall.
				pause = Math.min(pause * 2, 200_000);
			}
		}
		finally {
			if (interrupted || Thread.interrupted()) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void reopen(@Nullable FileChannel stale) throws IOException {
		// Under the probe's lock: both replace the channel.
		this.probeLock.lock();
		try {
			if (this.lockChannel == stale) {
				closeQuietly(stale);
				this.lockChannel = null;
				this.lockChannel = openLockChannel();
			}
		}
		finally {
			this.probeLock.unlock();
		}
	}

	/**
	 * The directory was removed while in use (Django re-creates it on every write): create it again, with a new
	 * lock file.
	 * @throws IOException if it cannot be created or is unsafe
	 */
	void recreate() throws IOException {
		if (!probe()) {
			throw new IOException(this.problem);
		}
	}

	private FileChannel openLockChannel() throws IOException {
		Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
		return FileChannel.open(this.lockPath, options, fileAttributes());
	}

	private static void closeQuietly(@Nullable FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Nothing to do: the locks go with the channel.
			}
		}
	}

	/**
	 * A held lock; closing releases the file lock, then the in-JVM lock.
	 */
	static final class Held implements AutoCloseable {

		private final @Nullable ReentrantLock local;

		private final @Nullable AtomicBoolean flag;

		private final @Nullable FileLock fileLock;

		Held(@Nullable ReentrantLock local, @Nullable AtomicBoolean flag, @Nullable FileLock fileLock) {
			this.local = local;
			this.flag = flag;
			this.fileLock = fileLock;
		}

		@Override
		public void close() {
			try {
				if (this.fileLock != null && this.fileLock.isValid()) {
					this.fileLock.release();
				}
			}
			catch (IOException ex) {
				// The channel was closed, which released the lock already.
			}
			finally {
				if (this.local != null) {
					this.local.unlock();
				}
				if (this.flag != null) {
					this.flag.set(false);
				}
			}
		}

	}

}
