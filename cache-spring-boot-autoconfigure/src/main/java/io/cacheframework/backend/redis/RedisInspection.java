package io.cacheframework.backend.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.CacheInspection.KeyInfo;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;

/**
 * What operators see of a Redis cache: keys listed with {@code SCAN} (never {@code KEYS}, which blocks the server),
 * each with its size ({@code STRLEN}) and expiry ({@code PTTL}) but never its value; the number of keys
 * ({@code DBSIZE}); and each server's role, reachability and {@code INFO} figures. Every command is bounded by the
 * operation timeout; a server that is avoided is reported without being asked.
 */
final class RedisInspection {

	/** Keys asked for per {@code SCAN} page. */
	private static final int SCAN_COUNT = 100;

	/** {@code SCAN} pages at most per listing: a sparse keyspace may return empty pages. */
	private static final int MAX_SCAN_PAGES = 1000;

	/** The {@code INFO} fields reported per server. */
	private static final List<String> INFO_FIELDS = List.of("redis_version", "role", "uptime_in_seconds",
			"connected_clients", "used_memory", "maxmemory", "maxmemory_policy", "keyspace_hits", "keyspace_misses",
			"expired_keys", "evicted_keys", "connected_slaves", "master_link_status");

	private final RedisServers servers;

	private final BoundedCalls calls;

	private final Clock clock;

	RedisInspection(RedisServers servers, BoundedCalls calls, Clock clock) {
		this.servers = servers;
		this.calls = calls;
		this.clock = clock;
	}

	List<KeyInfo> keys(int limit) {
		Target whole = this.servers.whole();
		List<byte[]> keys = new ArrayList<>();
		ScanCursor cursor = ScanCursor.INITIAL;
		for (int page = 0; page < MAX_SCAN_PAGES && keys.size() < limit; page++) {
			ScanCursor from = cursor;
			KeyScanCursor<byte[]> scanned = this.calls.call(whole,
					(commands) -> commands.scan(from, ScanArgs.Builder.limit(SCAN_COUNT)));
			for (byte[] key : scanned.getKeys()) {
				if (keys.size() < limit) {
					keys.add(key);
				}
			}
			if (scanned.isFinished()) {
				break;
			}
			cursor = scanned;
		}
		return describe(keys);
	}

	/**
	 * Size and expiry of each key, pipelined: two commands per key, all sent before any answer is awaited.
	 */
	private List<KeyInfo> describe(List<byte[]> keys) {
		List<Target> targets = new ArrayList<>(keys.size());
		List<RedisFuture<Long>> sizes = new ArrayList<>(keys.size());
		List<RedisFuture<Long>> ttls = new ArrayList<>(keys.size());
		for (byte[] key : keys) {
			Target target = this.servers.write(key);
			targets.add(target);
			sizes.add(this.calls.send(target, (commands) -> commands.strlen(key)));
			ttls.add(this.calls.send(target, (commands) -> commands.pttl(key)));
		}
		long deadline = this.calls.deadline();
		long now = this.clock.millis();
		List<KeyInfo> result = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			Long ttl = this.calls.await(targets.get(i), ttls.get(i), deadline);
			if (ttl == -2) {
				// Gone since the scan.
				continue;
			}
			Long size;
			try {
				size = this.calls.await(targets.get(i), sizes.get(i), deadline);
			}
			catch (ServerReplyException ex) {
				// Not a string (another application's hash or list): no size.
				size = null;
			}
			Instant expires = (ttl >= 0) ? Instant.ofEpochMilli(now + ttl) : null;
			result.add(new KeyInfo(new String(keys.get(i), StandardCharsets.UTF_8), size, expires));
		}
		return result;
	}

	Long entryCount() {
		return this.calls.call(this.servers.whole(), (commands) -> commands.dbsize());
	}

	Map<String, Object> details() {
		Map<String, Object> servers = new LinkedHashMap<>();
		for (Target target : this.servers.servers(this.calls.deadline())) {
			Server server = target.server();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("configured", server.role());
			details.put("connected", target.isConnected());
			details.put("avoided", server.isAvoided());
			if (target.isConnected() && !server.isAvoided()) {
				try {
					String info = this.calls.call(target, (commands) -> commands.info());
					details.putAll(infoFields(info));
				}
				catch (CacheAccessException ex) {
					details.put("error", ex.getMessage());
				}
			}
			servers.put(server.name(), details);
		}
		return Map.of("servers", servers);
	}

	private static Map<String, Object> infoFields(String info) {
		Map<String, Object> fields = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			int colon = line.indexOf(':');
			if (line.startsWith("#") || colon < 0) {
				continue;
			}
			String name = line.substring(0, colon);
			String value = line.substring(colon + 1).trim();
			if (INFO_FIELDS.contains(name)) {
				fields.put(name, number(value));
			}
			else if (name.matches("db\\d+") && value.startsWith("keys=")) {
				// The keys of each database, e.g. db0=12.
				int comma = value.indexOf(',');
				fields.put(name, number(value.substring(5, (comma > 0) ? comma : value.length())));
			}
		}
		return fields;
	}

	private static Object number(String value) {
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			return value;
		}
	}

	List<ComponentHealth> health() {
		List<ComponentHealth> health = new ArrayList<>();
		for (Target target : this.servers.servers(this.calls.deadline())) {
			Server server = target.server();
			if (!target.isConnected()) {
				health.add(down(server, "not connected"));
			}
			else if (server.isAvoided()) {
				health.add(down(server, "not answering; tried again in " + server.breaker().retryIn().toMillis()
						+ " ms"));
			}
			else {
				try {
					List<Object> role = this.calls.call(target, (commands) -> commands.role());
					Map<String, Object> details = new LinkedHashMap<>();
					details.put("role", role.isEmpty() ? "unknown" : text(role.get(0)));
					details.put("configured", server.role());
					health.add(ComponentHealth.up(server.name(), details));
				}
				catch (CacheAccessException ex) {
					health.add(down(server, ex.getMessage()));
				}
			}
		}
		return health;
	}

	private static String text(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

	private static ComponentHealth down(Server server, String error) {
		return new ComponentHealth(server.name(), false, Map.of("configured", server.role(), "error", error));
	}

}
