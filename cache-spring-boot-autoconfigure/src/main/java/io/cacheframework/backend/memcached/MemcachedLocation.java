package io.cacheframework.backend.memcached;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A memcached {@code location}, read as Django reads {@code LOCATION}: servers separated by {@code ;} or {@code ,}
 * (a YAML list arrives joined with {@code ,}), each {@code host:port} ({@code host} alone means port 11211,
 * {@code [::1]:11211} for IPv6) or a unix socket ({@code unix:/path} or {@code /path}); not both kinds at once.
 *
 * @param servers the servers as written, in order
 * @param tcp the TCP servers (empty for unix sockets); a host that does not resolve yet is left unresolved
 * @param unixSockets the unix socket paths (empty for TCP servers)
 */
record MemcachedLocation(List<String> servers, List<InetSocketAddress> tcp, List<String> unixSockets) {

	private static final int DEFAULT_PORT = 11211;

	/**
	 * Read a location.
	 * @param location the configured location
	 * @return the servers
	 * @throws IllegalArgumentException if it names no server, a server is malformed, or it mixes unix sockets and
	 * TCP servers
	 */
	static MemcachedLocation parse(String location) {
		List<String> servers = split(location);
		List<String> unixSockets = new ArrayList<>();
		List<InetSocketAddress> tcp = new ArrayList<>();
		for (String server : servers) {
			String path = unixSocketPath(server);
			if (path != null) {
				unixSockets.add(path);
			}
			else {
				tcp.add(parseHostAndPort(server));
			}
		}
		if (!unixSockets.isEmpty() && !tcp.isEmpty()) {
			throw new IllegalArgumentException("memcached location mixes unix sockets and TCP servers: " + location);
		}
		return new MemcachedLocation(List.copyOf(servers), List.copyOf(tcp), List.copyOf(unixSockets));
	}

	/**
	 * Django's {@code LOCATION} rule: a string split on {@code ;} and {@code ,}, blanks dropped.
	 * @param location the configured location
	 * @return the servers as written
	 */
	static List<String> split(String location) {
		List<String> servers = new ArrayList<>();
		for (String part : location.split("[;,]")) {
			String server = part.trim();
			if (!server.isEmpty()) {
				servers.add(server);
			}
		}
		if (servers.isEmpty()) {
			throw new IllegalArgumentException("memcached location must name at least one server, e.g. "
					+ "127.0.0.1:11211 or unix:/run/memcached/memcached.sock");
		}
		return servers;
	}

	private static @Nullable String unixSocketPath(String server) {
		if (server.startsWith("unix:")) {
			String path = server.substring("unix:".length());
			if (path.isEmpty()) {
				throw new IllegalArgumentException("unix socket location without a path: " + server);
			}
			return path;
		}
		return server.startsWith("/") ? server : null;
	}

	/**
	 * One TCP server, resolved now if its host resolves (else left unresolved, for the transport to try again).
	 * @param server {@code host}, {@code host:port} or {@code [v6]:port}
	 * @return the address
	 */
	static InetSocketAddress parseHostAndPort(String server) {
		String host = server;
		int port = DEFAULT_PORT;
		if (server.startsWith("[")) {
			int end = server.indexOf(']');
			if (end < 0) {
				throw new IllegalArgumentException("Invalid memcached server '" + server + "'");
			}
			host = server.substring(1, end);
			String rest = server.substring(end + 1);
			if (rest.startsWith(":")) {
				port = parsePort(server, rest.substring(1));
			}
			else if (!rest.isEmpty()) {
				throw new IllegalArgumentException("Invalid memcached server '" + server + "'");
			}
		}
		else {
			int colon = server.lastIndexOf(':');
			if (colon >= 0) {
				if (server.indexOf(':') != colon) {
					throw new IllegalArgumentException(
							"Invalid memcached server '" + server + "': write IPv6 addresses as [::1]:11211");
				}
				host = server.substring(0, colon);
				port = parsePort(server, server.substring(colon + 1));
			}
		}
		if (host.isEmpty()) {
			throw new IllegalArgumentException("Invalid memcached server '" + server + "': no host");
		}
		return new InetSocketAddress(host, port);
	}

	private static int parsePort(String server, String port) {
		try {
			int value = Integer.parseInt(port);
			if (value < 1 || value > 65535) {
				throw new NumberFormatException();
			}
			return value;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Invalid port in memcached server '" + server + "'");
		}
	}

}
