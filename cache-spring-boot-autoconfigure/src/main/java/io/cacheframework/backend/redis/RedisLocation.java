package io.cacheframework.backend.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code LOCATION} for {@code RedisCache}, as Lettuce server addresses: one URL, or several separated by
 * {@code ;} or {@code ,} (a YAML list arrives joined with {@code ,}). Without {@code cluster} the first is the primary
 * and the others are its replicas; with it they are seed nodes.
 *
 * <p>Forms: {@code redis://[user:password@]host:port/db}, {@code rediss://...} (TLS), and
 * {@code redis-socket:///path/to/redis.sock?db=N} (a unix socket; redis-py's {@code unix://} spelling is accepted too).
 * The options fill in what a URL leaves out (database, credentials, client name); what the URL says wins.
 */
final class RedisLocation {

	private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-socket");

	private RedisLocation() {
	}

	/**
	 * Parse a location.
	 * @param location the configured location
	 * @param options the options that fill in what the URLs leave out
	 * @return the servers, the primary (or first seed) first
	 * @throws IllegalArgumentException naming the part of the location that is wrong
	 */
	static List<RedisURI> parse(String location, RedisOptions options) {
		List<RedisURI> servers = new ArrayList<>();
		for (String part : location.split("[;,]")) {
			String url = part.trim();
			if (!url.isEmpty()) {
				servers.add(server(url, options));
			}
		}
		if (servers.isEmpty()) {
			throw new IllegalArgumentException("redis location must name at least one server, e.g. "
					+ "redis://127.0.0.1:6379/0, rediss://user:password@host:6380/0 or "
					+ "redis-socket:///run/redis/redis.sock");
		}
		return servers;
	}

	private static RedisURI server(String url, RedisOptions options) {
		String normalized = url.regionMatches(true, 0, "unix://", 0, 7) ? "redis-socket://" + url.substring(7) : url;
		int colon = normalized.indexOf("://");
		String scheme = (colon > 0) ? normalized.substring(0, colon).toLowerCase(Locale.ROOT) : "";
		if (!SCHEMES.contains(scheme)) {
			throw new IllegalArgumentException("redis location '" + redacted(url) + "' must start with redis://, "
					+ "rediss:// (TLS) or redis-socket:// (a unix socket)");
		}
		URI parsed;
		RedisURI server;
		try {
			parsed = new URI(normalized);
			server = RedisURI.create(normalized);
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("redis location '" + redacted(url) + "' is not a valid URL: "
					+ ex.getMessage(), ex);
		}
		if (server.getSocket() == null && (server.getHost() == null || server.getHost().isEmpty())) {
			throw new IllegalArgumentException("redis location '" + redacted(url) + "' has no host");
		}
		if (parsed.getRawUserInfo() == null && queryParameter(parsed, "password") == null
				&& options.getPassword() != null) {
			if (options.getUsername() != null) {
				server.setAuthentication(options.getUsername(), options.getPassword());
			}
			else {
				server.setAuthentication(options.getPassword());
			}
		}
		if (!namesDatabase(parsed) && options.getDb() != null) {
			server.setDatabase(options.getDb());
		}
		if (queryParameter(parsed, "clientName") == null && options.getClientName() != null) {
			server.setClientName(options.getClientName());
		}
		// Lettuce's handshake (HELLO, AUTH, SELECT) waits this long; commands have the operation timeout of their own.
		server.setTimeout(options.getConnectTimeout());
		return server;
	}

	/**
	 * Whether the URL says which database: {@code /N} after the host, or {@code db=} / {@code database=}.
	 */
	private static boolean namesDatabase(URI url) {
		String path = url.getRawPath();
		boolean inPath = !"redis-socket".equalsIgnoreCase(url.getScheme()) && path != null && path.length() > 1;
		return inPath || queryParameter(url, "db") != null || queryParameter(url, "database") != null;
	}

	private static @Nullable String queryParameter(URI url, String name) {
		String query = url.getRawQuery();
		if (query == null) {
			return null;
		}
		for (String pair : query.split("&")) {
			int equals = pair.indexOf('=');
			String key = (equals >= 0) ? pair.substring(0, equals) : pair;
			if (key.equalsIgnoreCase(name)) {
				return (equals >= 0) ? pair.substring(equals + 1) : "";
			}
		}
		return null;
	}

	/**
	 * A URL for messages and health details, without its password.
	 * @param url a URL as configured
	 * @return the URL with any credentials replaced by {@code ***}
	 */
	static String redacted(String url) {
		return url.replaceAll("(?<=://)[^/@]*@", "***@").replaceAll("(?i)(password=)[^&]*", "$1***");
	}

	/**
	 * How a server is named in logs, health and statistics: {@code host:port}, or the socket path.
	 * @param server the server
	 * @return its name
	 */
	static String name(RedisURI server) {
		if (server.getSocket() != null) {
			return server.getSocket();
		}
		String host = server.getHost();
		return (host.contains(":") && !host.startsWith("[")) ? "[" + host + "]:" + server.getPort()
				: host + ":" + server.getPort();
	}

}
