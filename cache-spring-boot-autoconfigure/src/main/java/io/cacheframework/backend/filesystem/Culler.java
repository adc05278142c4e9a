package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import io.cacheframework.backend.filesystem.SharedDirectory.Held;
import io.cacheframework.serializer.UnreadableValueException;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code _cull} ({@code MAX_ENTRIES}/{@code CULL_FREQUENCY}) for a directory that several processes share:
 * on an approximate entry count rather than a directory listing per write, one cull at a time across processes,
 * expired files first, then the {@code n / CULL_FREQUENCY} least recently written (Django removes random ones).
 */
final class Culler {

	private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

	private final SharedDirectory directory;

	private final EntryFormat format;

	private final Clock clock;

	private final int maxEntries;

	private final int cullFrequency;

	private final int relistInterval;

	/**
	 * A culler of one cache's directory.
	 * @param directory the directory
	 * @param format the entry format, to read headers
	 * @param clock the cache's clock
	 * @param maxEntries Django's {@code MAX_ENTRIES}
	 * @param cullFrequency Django's {@code CULL_FREQUENCY}, 0 to remove every entry
	 */
	Culler(SharedDirectory directory, EntryFormat format, Clock clock, int maxEntries, int cullFrequency) {
		this.directory = directory;
		this.format = format;
		this.clock = clock;
		this.maxEntries = maxEntries;
		this.cullFrequency = cullFrequency;
		this.relistInterval = Math.max(16, maxEntries / 8);
	}

	/**
	 * Cull if the cache is full. The directory is listed only when the approximate count says it is full, or every
	 * {@code max(16, MAX_ENTRIES / 8)} writes to see other processes' entries; a cull already running (in this JVM
	 * or another process) is not waited for.
	 * @return how many entries were removed
	 * @throws IOException if the directory cannot be listed or an entry cannot be removed
	 */
	int cullIfDue() throws IOException {
		if (this.directory.count.get() < this.maxEntries
				&& this.directory.writesSinceListing.get() < this.relistInterval) {
			return 0;
		}
		Held cullLock = this.directory.tryLockCull();
		if (cullLock == null) {
			return 0;
		}
		try (cullLock) {
			List<Path> entries = this.directory.listEntries();
			this.directory.sweepTempFiles();
			if (entries.size() < this.maxEntries) {
				return 0;
			}
			return cull(entries);
		}
	}

	private int cull(List<Path> entries) throws IOException {
		int removed = 0;
		if (this.cullFrequency == 0) {
			for (Path file : entries) {
				if (this.directory.deleteEntry(file)) {
					removed++;
				}
			}
			return removed;
		}
		long now = this.clock.millis();
		List<Candidate> live = new ArrayList<>(entries.size());
		for (Path file : entries) {
			Candidate candidate = candidate(file, now);
			if (candidate == null) {
				continue;
			}
			if (candidate.expired) {
				if (this.directory.deleteEntry(file)) {
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
				if (this.directory.deleteEntry(live.get(i).file)) {
					removed++;
				}
			}
		}
		return removed;
	}

	/**
	 * Expiry and age of an entry file, from its header only; {@code null} if it vanished. Unreadable headers count
	 * as expired.
	 */
	private @Nullable Candidate candidate(Path file, long now) {
		try (FileChannel channel = FileChannel.open(file, READ)) {
			FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
			try {
				return new Candidate(file, modified.toMillis(),
						this.format.readHeader(channel, channel.size()).isExpired(now));
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

	private record Candidate(Path file, long modified, boolean expired) {
	}

}
