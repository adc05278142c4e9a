package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cacheframework.backend.filesystem.EntryFormat.Header;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.serializer.UnreadableValueException;
import org.jspecify.annotations.Nullable;

/**
 * The operators' view of a cache directory (Actuator endpoint, health, size meter): a listing that reads each
 * file's header and key, never its payload, so no stored value is exposed.
 */
final class DirectoryInspection implements CacheInspection {

	private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

	private final SharedDirectory directory;

	private final EntryFormat format;

	private final Clock clock;

	private final int maxEntries;

	private final int cullFrequency;

	/**
	 * The inspection of one cache's directory.
	 * @param directory the directory
	 * @param format the entry format, to read headers
	 * @param clock the cache's clock
	 * @param maxEntries reported in the details
	 * @param cullFrequency reported in the details
	 */
	DirectoryInspection(SharedDirectory directory, EntryFormat format, Clock clock, int maxEntries,
			int cullFrequency) {
		this.directory = directory;
		this.format = format;
		this.clock = clock;
		this.maxEntries = maxEntries;
		this.cullFrequency = cullFrequency;
	}

	/**
	 * The made key, the stored payload length and the expiry of each file. Expired, unreadable and vanished files
	 * are skipped.
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		List<KeyInfo> keys = new ArrayList<>();
		long now = this.clock.millis();
		for (Path file : listEntries()) {
			if (keys.size() >= limit) {
				break;
			}
			KeyInfo key = keyInfo(file, now);
			if (key != null) {
				keys.add(key);
			}
		}
		return keys;
	}

	private @Nullable KeyInfo keyInfo(Path file, long now) {
		try (FileChannel channel = FileChannel.open(file, READ)) {
			Header header = this.format.readHeader(channel, channel.size());
			if (header.isExpired(now)) {
				return null;
			}
			ByteBuffer key = ByteBuffer.allocate(header.keyLength());
			EntryFormat.readFully(channel, key);
			return new KeyInfo(new String(key.array(), StandardCharsets.UTF_8), (long) header.storedLength(),
					(header.expiresAt() == Long.MAX_VALUE) ? null : Instant.ofEpochMilli(header.expiresAt()));
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
		return (long) listEntries().size();
	}

	/**
	 * The sizes of the entry files.
	 */
	@Override
	public Long byteCount() {
		long bytes = 0;
		for (Path file : listEntries()) {
			try {
				bytes += Files.size(file);
			}
			catch (NoSuchFileException ex) {
				// Deleted since the listing.
			}
			catch (IOException ex) {
				throw cannotList(ex);
			}
		}
		return bytes;
	}

	@Override
	public Map<String, Object> inspectionDetails() {
		return Map.of("directory", this.directory.path.toString(), "maxEntries", this.maxEntries, "cullFrequency",
				this.cullFrequency);
	}

	/**
	 * The directory exists, is writable and was usable at the last probe.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		Path path = this.directory.path;
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
		return List.of(ComponentHealth.up(component,
				Map.of("approximateEntries", Math.max(0, this.directory.count.get()))));
	}

	private List<Path> listEntries() {
		try {
			return this.directory.listEntries();
		}
		catch (IOException ex) {
			throw cannotList(ex);
		}
	}

	private CacheAccessException cannotList(IOException ex) {
		return new CacheAccessException("Cannot list cache directory " + this.directory.path + ": " + ex.getMessage(),
				ex);
	}

}
