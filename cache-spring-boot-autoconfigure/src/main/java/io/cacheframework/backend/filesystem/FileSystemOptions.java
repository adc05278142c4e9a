package io.cacheframework.backend.filesystem;

import io.cacheframework.core.InvalidCacheOptionException;

/**
 * Options of the file-system backend, {@code app.caches.<alias>.options.*} (besides {@code max-entries} and
 * {@code cull-frequency}, which every backend takes). A JavaBean with its defaults in its fields; the backend checks
 * the values when it is created.
 *
 * @since 0.1.0
 */
public class FileSystemOptions {

	/**
	 * The largest {@code max-value-bytes} accepted: a file (header, key and value) must fit in one Java array.
	 */
	static final long MAX_VALUE_BYTES_LIMIT = Integer.MAX_VALUE - 1024;

	/**
	 * Serialized values of at least this many bytes are zlib-compressed, and stored compressed when that saves at
	 * least 10%. A negative value turns compression off.
	 */
	private long compressMinBytes = 1024;

	/**
	 * Largest serialized value stored, in bytes; a larger value is not cached (that set fails alone) and a larger
	 * file is read as corrupt.
	 */
	private long maxValueBytes = 64L * 1024 * 1024;

	/**
	 * Whether each write is flushed to the device (fsync of the file before it is renamed into place, then of the
	 * directory). Off by default: a killed process never leaves a torn entry either way, and after a power loss a
	 * torn entry fails its checksum and reads as a miss.
	 */
	private boolean syncWrites;

	/**
	 * The compression threshold in bytes.
	 * @return bytes, negative for no compression
	 */
	public long getCompressMinBytes() {
		return this.compressMinBytes;
	}

	/**
	 * Set the compression threshold.
	 * @param compressMinBytes bytes, negative for no compression
	 */
	public void setCompressMinBytes(long compressMinBytes) {
		this.compressMinBytes = compressMinBytes;
	}

	/**
	 * The largest serialized value stored.
	 * @return bytes
	 */
	public long getMaxValueBytes() {
		return this.maxValueBytes;
	}

	/**
	 * Set the largest serialized value stored.
	 * @param maxValueBytes bytes, between 1 and {@code Integer.MAX_VALUE - 1024}
	 */
	public void setMaxValueBytes(long maxValueBytes) {
		this.maxValueBytes = maxValueBytes;
	}

	/**
	 * Whether writes are flushed to the device.
	 * @return whether writes are synced
	 */
	public boolean isSyncWrites() {
		return this.syncWrites;
	}

	/**
	 * Set whether writes are flushed to the device.
	 * @param syncWrites whether writes are synced
	 */
	public void setSyncWrites(boolean syncWrites) {
		this.syncWrites = syncWrites;
	}

	/**
	 * Check the values, before the backend uses them.
	 * @throws InvalidCacheOptionException naming the first option whose value cannot be used
	 */
	void validate() {
		if (this.maxValueBytes <= 0 || this.maxValueBytes > MAX_VALUE_BYTES_LIMIT) {
			throw new InvalidCacheOptionException("max-value-bytes",
					"must be between 1 and " + MAX_VALUE_BYTES_LIMIT + ", got " + this.maxValueBytes);
		}
	}

}
