package io.cacheframework.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Optional: a backend that can be looked into, for operators (the Actuator endpoint {@code cachebackends}, its health
 * component and the {@code cache.size} meter). It is Django's {@code stats items} / {@code stats cachedump} for every
 * backend.
 *
 * <p>An inspection never returns stored <em>values</em>: only keys, sizes, expiries, counts and store statistics, so
 * that exposing it cannot leak what the application cached. Every method may touch the store (a query, a directory
 * listing, a network round trip) and is meant for operators and metrics scrapes, not the request path. Health
 * reports an unreachable component as down; the other methods may throw {@link CacheAccessException}, which the
 * callers (endpoint, meters) report instead of failing.
 *
 * @since 0.1.0
 */
public interface CacheInspection {

	/**
	 * The key listing limit used when the caller gives none.
	 */
	int DEFAULT_KEY_LIMIT = 100;

	/**
	 * List stored keys (the made keys, e.g. {@code ":1:username"}), at most {@code limit} of them, in no promised
	 * order. Expired entries the backend can recognise are skipped. The store is shared by every cache with the same
	 * location, so the listing may include other prefixes' and versions' keys, as {@code stats cachedump} does.
	 * @param limit the maximum number of keys, at least 1
	 * @return the keys with their size and expiry
	 */
	List<KeyInfo> inspectKeys(int limit);

	/**
	 * The number of entries in the store, if the backend can count them.
	 * @return the count, or {@code null} if unknown
	 */
	default @Nullable Long entryCount() {
		return null;
	}

	/**
	 * The bytes the entries take in the store, if the backend can tell (an estimate for in-memory stores).
	 * @return the bytes, or {@code null} if unknown
	 */
	default @Nullable Long byteCount() {
		return null;
	}

	/**
	 * Backend-specific statistics, e.g. each memcached server's own {@code stats}. Keys are statistic or component
	 * names; values are numbers, strings, or nested maps of those.
	 * @return the details, empty if none
	 */
	default Map<String, Object> inspectionDetails() {
		return Map.of();
	}

	/**
	 * Check each component of the store (each memcached server; the table; the directory) and report whether it
	 * answers. Bounded by the backend's own timeouts.
	 * @return one entry per component, never empty
	 */
	List<ComponentHealth> checkHealth();

	/**
	 * One stored key, without its value.
	 *
	 * @param key the made key as stored
	 * @param size the stored size in bytes, {@code null} if unknown
	 * @param expires when it expires, {@code null} if never (or unknown, see the backend)
	 */
	record KeyInfo(String key, @Nullable Long size, @Nullable Instant expires) {

		/**
		 * Validate.
		 * @param key the made key
		 * @param size the size in bytes
		 * @param expires the expiry
		 */
		public KeyInfo {
			Objects.requireNonNull(key, "key must not be null");
		}

	}

	/**
	 * Whether one component of a store answers.
	 *
	 * @param component the component's name, e.g. {@code "127.0.0.1:11211"} or {@code "table cache_table"}
	 * @param up whether it answered
	 * @param details what was learnt (e.g. uptime, or the error), never stored values
	 */
	record ComponentHealth(String component, boolean up, Map<String, Object> details) {

		/**
		 * Validate and copy.
		 * @param component the component's name
		 * @param up whether it answered
		 * @param details the details
		 */
		public ComponentHealth {
			Objects.requireNonNull(component, "component must not be null");
			details = Map.copyOf(details);
		}

		/**
		 * A component that answered.
		 * @param component the name
		 * @param details the details
		 * @return the health
		 */
		public static ComponentHealth up(String component, Map<String, Object> details) {
			return new ComponentHealth(component, true, details);
		}

		/**
		 * A component that did not answer.
		 * @param component the name
		 * @param error why (may be {@code null})
		 * @return the health
		 */
		public static ComponentHealth down(String component, @Nullable String error) {
			return new ComponentHealth(component, false, Map.of("error", String.valueOf(error)));
		}

	}

}
