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
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.cacheframework.backend.filesystem.EntryFormat.Payload;
import io.cacheframework.core.CacheAccessException;
import org.jspecify.annotations.Nullable;

/**
 * Writes entry files, the one way {@code set}, {@code add}, {@code touch} and {@code incr} change one (Django's
 * {@code mkstemp} + {@code _write_content} + {@code file_move_safe}): the complete file (header, key, payload) goes to
 * a new temporary file {@code .tmp-<pid>-<random>} in the cache directory, which is then renamed over the entry
 * ({@code ATOMIC_MOVE}), so a reader sees the previous complete file or the new one. A write that fails (disk full,
 * quota, I/O error) removes its temporary file and leaves the previous entry as it was.
 */
final class EntryWriter {

	private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW,
			StandardOpenOption.WRITE);

	private final SharedDirectory directory;

	private final boolean syncWrites;

	/**
	 * A writer of one directory's entries.
	 * @param directory the cache directory
	 * @param syncWrites whether to fsync each file before it is renamed into place, and the directory after
	 */
	EntryWriter(SharedDirectory directory, boolean syncWrites) {
		this.directory = directory;
		this.syncWrites = syncWrites;
	}

	/**
	 * Replace an entry file at once. The caller holds the key's stripe.
	 * @throws CacheAccessException if the temporary file cannot be written
	 * @throws IOException if it cannot be moved into place
	 */
	void replace(Path entry, byte[] key, Payload payload, long expiresAt) throws IOException {
		try (Pending pending = prepare(entry, key, payload, expiresAt)) {
			pending.install();
		}
	}

	/**
	 * Write a complete entry to a new temporary file, to be moved into place by {@link Pending#install()} under the
	 * key's stripe; closing the result removes the temporary file if it was not installed. Needs no lock, so that the
	 * stripe is held only around the rename.
	 * @throws CacheAccessException if it cannot be written (nothing is left behind)
	 */
	Pending prepare(Path entry, byte[] key, Payload payload, long expiresAt) {
		ByteBuffer[] buffers = { EntryFormat.header(key, payload, expiresAt), ByteBuffer.wrap(key),
				ByteBuffer.wrap(payload.data()) };
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
				return new Pending(temp, entry);
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

	private void syncDirectory() {
		try (FileChannel channel = FileChannel.open(this.directory.path, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Not every platform can sync a directory; the entry is written either way.
		}
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

	/**
	 * A complete temporary file waiting to be moved over its entry.
	 */
	final class Pending implements AutoCloseable {

		private @Nullable Path temp;

		private final Path entry;

		private Pending(Path temp, Path entry) {
			this.temp = temp;
			this.entry = entry;
		}

		/**
		 * Move the temporary file over the entry. The caller holds the key's stripe.
		 * @throws IOException if the move fails (the temporary file is then removed on {@link #close()})
		 */
		void install() throws IOException {
			Path file = this.temp;
			if (file == null) {
				throw new IllegalStateException("already installed");
			}
			boolean existed = Files.exists(this.entry, LinkOption.NOFOLLOW_LINKS);
			try {
				Files.move(file, this.entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				throw new IOException("the file system cannot rename atomically within "
						+ EntryWriter.this.directory.path, ex);
			}
			this.temp = null;
			if (EntryWriter.this.syncWrites) {
				syncDirectory();
			}
			EntryWriter.this.directory.entryWritten(existed);
		}

		@Override
		public void close() {
			deleteTemp(this.temp);
		}

	}

}
