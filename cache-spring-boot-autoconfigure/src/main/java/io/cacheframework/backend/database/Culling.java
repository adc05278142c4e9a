package io.cacheframework.backend.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheSettings;

/**
 * Django's {@code MAX_ENTRIES} / {@code CULL_FREQUENCY} for the table: when more than the maximum rows are present,
 * delete the expired rows, then the {@code n / CULL_FREQUENCY} rows with the smallest keys (a frequency of 0 deletes
 * everything), in bounded batches.
 *
 * <p>Django counts the rows ({@code SELECT COUNT(*)}) before every write; that is a full scan on large PostgreSQL
 * tables. Here the table is counted only when this backend's writes since the last count could have taken it over
 * the maximum, or every {@code recountInterval} writes (for other writers), and never more often than every
 * {@code cull-check-interval} writes. With an interval of 1 this culls exactly as Django does.
 */
final class Culling {

	private final Jdbc jdbc;

	private final CacheSettings settings;

	private final int cullCheckInterval;

	private final int recountInterval;

	private final ReentrantLock lock = new ReentrantLock();

	private final AtomicLong writesSinceCount = new AtomicLong();

	/** The rows at the last count (less what was culled), -1 when unknown. */
	private volatile long lastCount = -1;

	/**
	 * @param jdbc the backend's connections
	 * @param settings the cache's settings: {@code max-entries}, {@code cull-frequency}, the clock
	 * @param cullCheckInterval writes between counts at most; 0 for {@code max-entries / 100}, between 1 and 10000
	 */
	Culling(Jdbc jdbc, CacheSettings settings, int cullCheckInterval) {
		this.jdbc = jdbc;
		this.settings = settings;
		int maxEntries = Math.max(0, settings.maxEntries());
		this.cullCheckInterval = (cullCheckInterval > 0) ? cullCheckInterval
				: Math.max(1, Math.min(10_000, maxEntries / 100));
		this.recountInterval = Math.max(10, Math.max(this.cullCheckInterval, maxEntries / 10));
	}

	/**
	 * Before writing rows: cull if the table may be over the maximum and is due a count. One caller culls at a
	 * time; the others write without waiting for it.
	 * @param writes the rows about to be written
	 * @return the rows culled (0 if none)
	 * @throws CacheAccessException if counting or culling failed (the write may go ahead)
	 */
	long beforeWrite(int writes) {
		try {
			long since = this.writesSinceCount.get();
			long known = this.lastCount;
			int maxEntries = this.settings.maxEntries();
			boolean mayExceed = known < 0 || known + since > maxEntries;
			if ((mayExceed || since >= this.recountInterval) && (known < 0 || since >= this.cullCheckInterval)
					&& this.lock.tryLock()) {
				try {
					this.writesSinceCount.set(0);
					Cull cull = cull(maxEntries);
					this.lastCount = cull.remaining;
					return cull.deleted;
				}
				catch (CacheAccessException ex) {
					this.lastCount = -1;
					throw ex;
				}
				finally {
					this.lock.unlock();
				}
			}
			return 0;
		}
		finally {
			this.writesSinceCount.addAndGet(writes);
		}
	}

	/**
	 * The table was just created: it has no rows.
	 */
	void tableCreated() {
		this.lastCount = 0;
	}

	/**
	 * The table was just cleared: it has no rows, and the writes before do not count.
	 */
	void cleared() {
		this.lastCount = 0;
		this.writesSinceCount.set(0);
	}

	/**
	 * Django's {@code _cull}, in bounded batches.
	 */
	private Cull cull(int maxEntries) {
		Sql sql = this.jdbc.sql();
		long count = this.jdbc.write("cull", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.count);
					ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		});
		if (count <= maxEntries) {
			return new Cull(0, count);
		}
		int cullFrequency = this.settings.cullFrequency();
		if (cullFrequency == 0) {
			return new Cull(this.jdbc.deleteInBatches("cull", "1 = 1", null), 0);
		}
		long deleted = this.jdbc.deleteInBatches("cull", sql.dialect.expiredCondition(),
				this.settings.clock().millis());
		long remaining = count - deleted;
		if (remaining > maxEntries) {
			long offset = remaining / cullFrequency;
			String boundary = this.jdbc.write("cull", (connection) -> {
				try (PreparedStatement statement = this.jdbc.prepare(connection, sql.keyAtOffset)) {
					statement.setLong(1, offset);
					try (ResultSet rs = statement.executeQuery()) {
						return rs.next() ? rs.getString(1) : null;
					}
				}
			});
			if (boundary != null) {
				long smallest = this.jdbc.deleteInBatches("cull", sql.dialect.keyBeforeCondition(), boundary);
				deleted += smallest;
				remaining -= smallest;
			}
		}
		return new Cull(deleted, Math.max(0, remaining));
	}

	private record Cull(long deleted, long remaining) {
	}

}
