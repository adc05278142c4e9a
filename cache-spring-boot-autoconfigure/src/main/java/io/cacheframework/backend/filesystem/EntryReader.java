package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

import io.cacheframework.backend.filesystem.EntryFormat.Header;
import io.cacheframework.backend.filesystem.EntryFormat.Payload;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.serializer.UnreadableValueException;
import org.jspecify.annotations.Nullable;

/**
 * Reads entry files (Django's {@code open} + {@code _is_expired}): a whole file in one read, without following a
 * symbolic link, checked before anything in it is trusted (size, header, checksum, the key it holds, expiry). Takes
 * no lock: files are only ever replaced by a rename, so an open file never changes.
 */
final class EntryReader {

	private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

	private final EntryFormat format;

	private final Clock clock;

	/**
	 * A reader of one cache's entries.
	 * @param format the entry format
	 * @param clock the cache's clock, for expiry
	 */
	EntryReader(EntryFormat format, Clock clock) {
		this.format = format;
		this.clock = clock;
	}

	/**
	 * Read and check a key's entry file.
	 * @param path the file
	 * @param key the made key's UTF-8 bytes, which the file must hold
	 * @return the entry, or what is wrong with it
	 * @throws CacheAccessException on an I/O error other than a missing file
	 */
	Entry read(Path path, byte[] key) {
		long now = this.clock.millis();
		try (FileChannel channel = FileChannel.open(path, READ)) {
			long size = channel.size();
			if (size < EntryFormat.HEADER_SIZE
					|| size > EntryFormat.HEADER_SIZE + EntryFormat.MAX_KEY_BYTES + this.format.maxValueBytes() + 1024) {
				// Parsing gives the precise reason without reading an oversized file.
				this.format.readHeader(channel, size);
				throw new UnreadableValueException("entry file of " + size + " bytes is too large");
			}
			byte[] bytes = new byte[(int) size];
			EntryFormat.readFully(channel, ByteBuffer.wrap(bytes));
			Header header = this.format.parse(ByteBuffer.wrap(bytes), size);
			if (header.isExpired(now)) {
				return new Entry(Status.EXPIRED, header, null, null);
			}
			EntryFormat.verify(bytes, header);
			if (header.keyLength() != key.length || !Arrays.equals(bytes, EntryFormat.HEADER_SIZE,
					EntryFormat.HEADER_SIZE + header.keyLength(), key, 0, key.length)) {
				throw new UnreadableValueException("the file holds another key");
			}
			return new Entry(Status.OK, header, bytes, null);
		}
		catch (NoSuchFileException ex) {
			return Entry.MISSING;
		}
		catch (UnreadableValueException ex) {
			return new Entry(Status.CORRUPT, null, null, ex);
		}
		catch (IOException ex) {
			if (Files.isSymbolicLink(path)) {
				// NOFOLLOW_LINKS refused it: nobody but this user can write here, and we never create links.
				return new Entry(Status.CORRUPT, null, null,
						new UnreadableValueException("the entry is a symbolic link"));
			}
			throw new CacheAccessException("Cannot read " + path + ": " + ex, ex);
		}
	}

	/**
	 * What a key's file holds.
	 */
	enum Status {

		/** A complete, unexpired entry of the key. */
		OK,

		/** No file. */
		MISSING,

		/** A well-formed entry that has expired. */
		EXPIRED,

		/** Truncated, extended, corrupt, another key's, or a symbolic link. */
		CORRUPT

	}

	/**
	 * An entry file as read: its status, and for a live entry its header and bytes.
	 */
	static final class Entry {

		static final Entry MISSING = new Entry(Status.MISSING, null, null, null);

		final Status status;

		final Header header;

		/** The whole file. */
		private final byte @Nullable [] bytes;

		final UnreadableValueException failure;

		@SuppressWarnings("NullAway")
		private Entry(Status status, @Nullable Header header, byte @Nullable [] bytes,
				@Nullable UnreadableValueException failure) {
			this.status = status;
			this.header = header;
			this.bytes = bytes;
			this.failure = failure;
		}

		/**
		 * Whether this is a live entry with the same header and bytes as another.
		 */
		boolean sameAs(Entry other) {
			return this.status == Status.OK && other.status == Status.OK && this.header.equals(other.header)
					&& Arrays.equals(this.bytes, other.bytes);
		}

		/**
		 * The payload of a live entry.
		 */
		Payload payload() {
			byte[] all = Objects.requireNonNull(this.bytes);
			return new Payload(this.header.kind(), this.header.compressed(), this.header.rawLength(),
					Arrays.copyOfRange(all, EntryFormat.HEADER_SIZE + this.header.keyLength(), all.length));
		}

	}

}
