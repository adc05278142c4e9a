package io.cacheframework.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheInspection.KeyInfo;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.CacheStatistics;
import io.cacheframework.core.Caches;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code cachebackends} Actuator endpoint: each alias's backend, location, timeout, key prefix, version and
 * live statistics; a key listing with a limit (Django's {@code stats cachedump}: key, size and expiry, never
 * values); and clearing one alias.
 *
 * <ul>
 * <li>{@code GET /actuator/cachebackends} → {@code {"caches": {"<alias>": {...}}}}</li>
 * <li>{@code GET /actuator/cachebackends/{alias}} → that alias, 404 if unknown</li>
 * <li>{@code GET /actuator/cachebackends/{alias}/keys?limit=100} → {@code {"keys": [{"key", "size", "expires"}]}}</li>
 * <li>{@code DELETE /actuator/cachebackends/{alias}} → clears it (204; 404 if unknown), only where write access is
 * granted</li>
 * </ul>
 * Access is read-only by default ({@link Access#READ_ONLY}): clearing is opt-in with
 * {@code management.endpoint.cachebackends.access=unrestricted}, because a clear reaches further than the alias on
 * a shared store: on memcached it is {@code flush_all} of every server, other applications' keys included; on the
 * database, every row of the table; on the file system, every entry of the directory; on locmem, every alias
 * sharing its location. Boot's own {@code caches} endpoint lists the Spring cache names; this one shows the stores
 * behind them.
 *
 * @since 0.1.0
 */
@Endpoint(id = CacheBackendsEndpoint.ID, defaultAccess = Access.READ_ONLY)
public class CacheBackendsEndpoint {

	/**
	 * The endpoint id.
	 */
	public static final String ID = "cachebackends";

	/**
	 * The most keys one listing returns, whatever the caller asks: a listing walks the store.
	 */
	public static final int MAX_KEY_LIMIT = 10_000;

	static final String KEYS_SEGMENT = "keys";

	private final Caches caches;

	/**
	 * Create the endpoint.
	 * @param caches the configured caches
	 */
	public CacheBackendsEndpoint(Caches caches) {
		this.caches = Objects.requireNonNull(caches, "caches must not be null");
	}

	/**
	 * Every alias.
	 * @return {@code {"caches": {alias: description}}}
	 */
	@ReadOperation
	public Map<String, Object> caches() {
		Map<String, Object> all = new LinkedHashMap<>();
		for (String alias : this.caches.aliases()) {
			all.put(alias, describe(this.caches.get(alias)));
		}
		return Map.of("caches", all);
	}

	/**
	 * One alias.
	 * @param alias the alias
	 * @return its description, or {@code null} (404) if it is not configured
	 */
	@ReadOperation
	public @Nullable Map<String, Object> cache(@Selector String alias) {
		CacheBackend backend = find(alias);
		return (backend != null) ? describe(backend) : null;
	}

	/**
	 * Stored keys of an alias, without values.
	 * @param alias the alias
	 * @param segment must be {@code keys}
	 * @param limit the most keys to list ({@value CacheInspection#DEFAULT_KEY_LIMIT} if absent, at most
	 * {@value #MAX_KEY_LIMIT})
	 * @return {@code {"keys": [...]}}, or {@code null} (404) for an unknown alias or path
	 */
	@ReadOperation
	public @Nullable Map<String, Object> keys(@Selector String alias, @Selector String segment,
			@Nullable Integer limit) {
		CacheBackend backend = find(alias);
		if (backend == null || !KEYS_SEGMENT.equals(segment)) {
			return null;
		}
		return listKeys(backend, clampLimit(limit));
	}

	/**
	 * Clear an alias: every key in its store, as Django's {@code cache.clear()} (on memcached, {@code flush_all} of
	 * every server). Only available with {@code management.endpoint.cachebackends.access=unrestricted}.
	 * @param alias the alias
	 * @return whether the alias exists (and was cleared)
	 */
	@DeleteOperation
	public boolean clear(@Selector String alias) {
		CacheBackend backend = find(alias);
		if (backend == null) {
			return false;
		}
		backend.clear();
		return true;
	}

	@Nullable CacheBackend find(String alias) {
		return this.caches.aliases().contains(alias) ? this.caches.get(alias) : null;
	}

	static int clampLimit(@Nullable Integer limit) {
		if (limit == null) {
			return CacheInspection.DEFAULT_KEY_LIMIT;
		}
		return Math.max(1, Math.min(limit, MAX_KEY_LIMIT));
	}

	Map<String, Object> listKeys(CacheBackend backend, int limit) {
		Map<String, Object> result = new LinkedHashMap<>();
		CacheInspection inspection = backend.inspection();
		if (inspection == null) {
			result.put("keys", List.of());
			result.put("supported", false);
			return result;
		}
		List<KeyInfo> infos;
		try {
			infos = inspection.inspectKeys(limit);
		}
		catch (RuntimeException ex) {
			// The store is down: say so rather than fail the endpoint.
			result.put("keys", List.of());
			result.put("error", String.valueOf(ex.getMessage()));
			return result;
		}
		List<Map<String, Object>> keys = new ArrayList<>();
		for (KeyInfo info : infos) {
			Map<String, Object> key = new LinkedHashMap<>();
			key.put("key", info.key());
			key.put("size", info.size());
			key.put("expires", (info.expires() != null) ? info.expires().toString() : null);
			keys.add(key);
		}
		result.put("keys", keys);
		return result;
	}

	static Map<String, Object> describe(CacheBackend backend) {
		Map<String, Object> description = new LinkedHashMap<>();
		CacheSettings settings = backend.settings();
		description.put("backend", backend.backendName());
		description.put("location", settings.location());
		description.put("timeout", seconds(settings.timeout()));
		description.put("keyPrefix", settings.keyPrefix());
		description.put("version", settings.version());
		description.put("stats", statistics(backend));
		return description;
	}

	private static Map<String, Object> statistics(CacheBackend backend) {
		Map<String, Object> stats = new LinkedHashMap<>();
		CacheStatistics statistics = backend.statistics();
		stats.put("hits", statistics.hits());
		stats.put("misses", statistics.misses());
		stats.put("sets", statistics.sets());
		stats.put("deletes", statistics.deletes());
		stats.put("evictions", statistics.evictions());
		stats.put("errors", statistics.errors());
		CacheInspection inspection = backend.inspection();
		if (inspection != null) {
			try {
				putIfKnown(stats, "entries", inspection.entryCount());
				putIfKnown(stats, "bytes", inspection.byteCount());
				stats.putAll(inspection.inspectionDetails());
			}
			catch (RuntimeException ex) {
				// An unreachable store must not break the endpoint: the counters above are still worth showing.
				stats.put("inspectionError", String.valueOf(ex.getMessage()));
			}
		}
		return stats;
	}

	private static void putIfKnown(Map<String, Object> stats, String name, @Nullable Long value) {
		if (value != null) {
			stats.put(name, value);
		}
	}

	/**
	 * A timeout in seconds for JSON: {@code null} for never, whole seconds as an integer, else fractional.
	 */
	static @Nullable Number seconds(Timeout timeout) {
		if (timeout.isNever()) {
			return null;
		}
		Duration duration = timeout.toDuration();
		if (duration.getNano() == 0) {
			return duration.getSeconds();
		}
		return duration.toNanos() / 1_000_000_000.0;
	}

}
