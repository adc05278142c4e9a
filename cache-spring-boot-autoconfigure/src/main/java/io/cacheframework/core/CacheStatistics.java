package io.cacheframework.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one cache, shared by every {@link CacheBackend#withVersion(int) version view} of it. Counted by
 * {@link AbstractCacheBackend}: a hit or miss per key read through {@code get}, {@code getOrDefault},
 * {@code getMany} and {@code getOrSet}; a set per stored value; a delete per removed key; evictions as the backend
 * reports them (culling); errors per failed store access.
 *
 * @since 0.1.0
 */
public final class CacheStatistics {

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder sets = new LongAdder();

	private final LongAdder deletes = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder errors = new LongAdder();

	/**
	 * Reads that found a value.
	 * @return the count
	 */
	public long hits() {
		return this.hits.sum();
	}

	/**
	 * Reads that found nothing.
	 * @return the count
	 */
	public long misses() {
		return this.misses.sum();
	}

	/**
	 * Values stored.
	 * @return the count
	 */
	public long sets() {
		return this.sets.sum();
	}

	/**
	 * Keys deleted.
	 * @return the count
	 */
	public long deletes() {
		return this.deletes.sum();
	}

	/**
	 * Entries removed to make room (culled).
	 * @return the count
	 */
	public long evictions() {
		return this.evictions.sum();
	}

	/**
	 * Store accesses that failed (outages, timeouts, unreadable entries).
	 * @return the count
	 */
	public long errors() {
		return this.errors.sum();
	}

	/**
	 * Record hits.
	 * @param count how many
	 */
	public void recordHits(long count) {
		this.hits.add(count);
	}

	/**
	 * Record misses.
	 * @param count how many
	 */
	public void recordMisses(long count) {
		this.misses.add(count);
	}

	/**
	 * Record stored values.
	 * @param count how many
	 */
	public void recordSets(long count) {
		this.sets.add(count);
	}

	/**
	 * Record deleted keys.
	 * @param count how many
	 */
	public void recordDeletes(long count) {
		this.deletes.add(count);
	}

	/**
	 * Record culled entries.
	 * @param count how many
	 */
	public void recordEvictions(long count) {
		this.evictions.add(count);
	}

	/**
	 * Record a failed store access.
	 */
	public void recordError() {
		this.errors.increment();
	}

	@Override
	public String toString() {
		return "CacheStatistics[hits=" + hits() + ", misses=" + misses() + ", sets=" + sets() + ", deletes="
				+ deletes() + ", evictions=" + evictions() + ", errors=" + errors() + "]";
	}

}
