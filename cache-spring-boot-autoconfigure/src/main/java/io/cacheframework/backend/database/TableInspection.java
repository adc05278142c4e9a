package io.cacheframework.backend.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * What operators see of a database cache (the {@code cachebackends} endpoint, its health, the {@code cache.size}
 * meter), at next to no cost to the database: the size is counted at most once per {@code size-refresh-interval},
 * and health answers "down" at once while a data source's circuit breaker is open.
 */
final class TableInspection implements CacheInspection {

	private final Jdbc jdbc;

	private final String table;

	private final CacheSettings settings;

	private final long sizeRefreshNanos;

	private final ReentrantLock sizeLock = new ReentrantLock();

	private volatile @Nullable Size size;

	private volatile boolean sizeDue = true;

	private volatile long nextSizeCount;

	TableInspection(Jdbc jdbc, String table, CacheSettings settings, Duration sizeRefreshInterval) {
		this.jdbc = jdbc;
		this.table = table;
		this.settings = settings;
		this.sizeRefreshNanos = sizeRefreshInterval.toNanos();
	}

	/**
	 * The table was just created: it is cheap to count, so the size need not wait for the refresh interval.
	 */
	void tableCreated() {
		this.sizeDue = true;
	}

	/**
	 * {@code SELECT cache_key, OCTET_LENGTH(value), expires ... WHERE expires > now ORDER BY cache_key LIMIT n} on the
	 * read data source. The size is the stored value column (one type-marker byte for an {@code Integer} or
	 * {@code Long}, whose number is in {@code int_value}).
	 */
	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		Sql sql = this.jdbc.sql();
		Dialect dialect = sql.dialect;
		String query = "SELECT " + dialect.col("cache_key") + ", OCTET_LENGTH(" + dialect.col("value") + "), "
				+ dialect.col("expires") + " FROM " + sql.table + " WHERE " + dialect.col("expires") + " > ? ORDER BY "
				+ dialect.col("cache_key") + " LIMIT " + Math.max(1, limit);
		return this.jdbc.read("key listing", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, query)) {
				statement.setLong(1, now());
				List<KeyInfo> keys = new ArrayList<>();
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						long expires = rows.getLong(3);
						keys.add(new KeyInfo(rows.getString(1), rows.getLong(2),
								(expires == Long.MAX_VALUE) ? null : Instant.ofEpochMilli(expires)));
					}
				}
				return keys;
			}
		});
	}

	/**
	 * The rows that have not expired, as last counted: the table is counted at most once per size refresh interval
	 * (a count is a full scan on large PostgreSQL tables), by one caller at a time, never while the database is not
	 * answering; meanwhile the last count is returned.
	 * @throws CacheAccessException if the table has not been counted yet and cannot be now
	 */
	@Override
	public Long entryCount() {
		return size().entries;
	}

	/**
	 * The bytes of the value column over all rows, counted with {@link #entryCount()} (one scan for both).
	 * @throws CacheAccessException if the table has not been counted yet and cannot be now
	 */
	@Override
	public Long byteCount() {
		return size().bytes;
	}

	private Size size() {
		Size current = this.size;
		long now = System.nanoTime();
		if (!this.sizeDue && now - this.nextSizeCount < 0) {
			if (current != null) {
				return current;
			}
			throw new CacheAccessException("Cache table '" + this.table + "' could not be counted; next try in "
					+ Duration.ofNanos(this.nextSizeCount - now).toMillis() + " ms");
		}
		if (!this.sizeLock.tryLock()) {
			// Someone is counting: never queue a scrape behind a count.
			if (current != null) {
				return current;
			}
			throw new CacheAccessException("Cache table '" + this.table + "' is being counted");
		}
		try {
			this.sizeDue = false;
			this.nextSizeCount = System.nanoTime() + this.sizeRefreshNanos;
			Size counted = countRows();
			this.size = counted;
			return counted;
		}
		catch (CacheAccessException ex) {
			if (current != null) {
				return current;
			}
			throw ex;
		}
		finally {
			this.sizeLock.unlock();
		}
	}

	private Size countRows() {
		Sql sql = this.jdbc.sql();
		long now = now();
		return this.jdbc.read("size count", (connection) -> {
			try (PreparedStatement statement = this.jdbc.prepare(connection, sql.size)) {
				statement.setLong(1, now);
				try (ResultSet rows = statement.executeQuery()) {
					rows.next();
					return new Size(rows.getLong(1), rows.getLong(2), Instant.now());
				}
			}
		});
	}

	/**
	 * The table, culling settings, when its size was last counted, and for each data source where its connections
	 * come from ({@code "own pool"} or {@code "application DataSource"}) and its circuit breaker's state.
	 */
	@Override
	public Map<String, Object> inspectionDetails() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("table", this.table);
		details.put("maxEntries", this.settings.maxEntries());
		details.put("cullFrequency", this.settings.cullFrequency());
		Size counted = this.size;
		if (counted != null) {
			details.put("sizeCountedAt", counted.countedAt.toString());
		}
		List<ConnectionSource> sources = this.jdbc.sources();
		details.put("connections", connections(sources.get(0)));
		if (sources.size() > 1) {
			details.put("readConnections", connections(sources.get(1)));
		}
		return details;
	}

	private static Map<String, Object> connections(ConnectionSource source) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("source", source.describe());
		details.put("circuit", source.breaker().state().name().toLowerCase(Locale.ROOT));
		details.put("failuresInARow", source.breaker().consecutiveFailures());
		return details;
	}

	/**
	 * The table answers a probe query on the write data source (and on the read data source when it differs).
	 * While a data source's circuit breaker is open the answer is "down" at once, without trying to connect.
	 */
	@Override
	public List<ComponentHealth> checkHealth() {
		List<ComponentHealth> health = new ArrayList<>();
		for (ConnectionSource source : this.jdbc.sources()) {
			health.add(probe(source));
		}
		return health;
	}

	private ComponentHealth probe(ConnectionSource source) {
		CircuitBreaker breaker = source.breaker();
		if (breaker.isOpen()) {
			return ComponentHealth.down(source.component(), "not answering (" + breaker.consecutiveFailures()
					+ " failures in a row, for " + breaker.openFor().toMillis() + " ms); next try in "
					+ breaker.retryIn().toMillis() + " ms");
		}
		try {
			Sql sql = this.jdbc.sql();
			this.jdbc.run(source, "health probe", false, (connection) -> {
				try (PreparedStatement statement = this.jdbc.prepare(connection, sql.probe())) {
					statement.executeQuery().close();
				}
				return null;
			});
			return ComponentHealth.up(source.component(), Map.of("database",
					sql.dialect.name().toLowerCase(Locale.ROOT), "connections", source.describe()));
		}
		catch (CacheAccessException ex) {
			return ComponentHealth.down(source.component(), ex.getMessage());
		}
	}

	private long now() {
		return this.settings.clock().millis();
	}

	private record Size(long entries, long bytes, Instant countedAt) {
	}

}
