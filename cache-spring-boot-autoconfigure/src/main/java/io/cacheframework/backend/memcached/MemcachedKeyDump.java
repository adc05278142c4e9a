package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.memcached.TextConnection.ProtocolException;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection.KeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code stats cachedump} for one memcached server, on a throwaway {@link TextConnection} of its own
 * (never one the transports use: a dump is only stopped by closing its connection): {@code lru_crawler metadump all}
 * lists keys with their expiry, then a pipelined {@code mg <key> s} per key reads each value's size without
 * transferring the value.
 *
 * <p>Bounded like every other exchange ({@link TextConnection}): each step, connect included, ends within
 * {@link #TIMEOUT_MILLIS}, lines are limited in length, and only as many lines are read as the limit needs (plus a
 * few the server may add), so a server that streams without end costs two seconds and a little memory.
 */
final class MemcachedKeyDump {

	private static final long TIMEOUT_MILLIS = 2000;

	/** Lines of a metadump that are not keys, tolerated before the dump counts as broken. */
	private static final int MAX_OTHER_LINES = 1000;

	private MemcachedKeyDump() {
	}

	/**
	 * List up to {@code limit} keys of a server.
	 * @param address where to connect (the transport's resolved address or unix socket)
	 * @param server {@code host:port} or a unix socket path, for messages
	 * @param limit the most keys
	 * @return the keys
	 * @throws CacheAccessException if the server cannot be asked
	 */
	static List<KeyInfo> dump(SocketAddress address, String server, int limit) {
		if (limit <= 0) {
			return List.of();
		}
		Map<String, @Nullable Instant> expiries = new LinkedHashMap<>();
		try (TextConnection connection = TextConnection.open(address, deadline())) {
			connection.send("lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII));
			int otherLines = 0;
			while (expiries.size() < limit) {
				String line = connection.readLine();
				if (line.equals("END")) {
					break;
				}
				if (line.startsWith("BUSY") || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
						|| line.startsWith("SERVER_ERROR")) {
					throw new CacheAccessException("memcached " + server + " refused lru_crawler metadump: "
							+ TextConnection.quote(line));
				}
				if (!parseMetadump(line, expiries) && ++otherLines > MAX_OTHER_LINES) {
					throw new ProtocolException("more than " + MAX_OTHER_LINES + " metadump lines without a key");
				}
			}
			// Stop reading here: the rest of a long dump is dropped with the connection.
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new CacheAccessException("memcached " + server + " key listing failed: " + ex.getMessage(), ex);
		}
		if (expiries.isEmpty()) {
			return List.of();
		}
		List<KeyInfo> keys = new ArrayList<>(expiries.size());
		try (TextConnection connection = TextConnection.open(address, deadline())) {
			StringBuilder requests = new StringBuilder();
			for (String key : expiries.keySet()) {
				requests.append("mg ").append(key).append(" s\r\n");
			}
			requests.append("mn\r\n");
			connection.send(requests.toString().getBytes(StandardCharsets.UTF_8));
			for (Map.Entry<String, @Nullable Instant> entry : expiries.entrySet()) {
				String reply = connection.readLine();
				if (reply.startsWith("HD")) {
					keys.add(new KeyInfo(entry.getKey(), sizeFlag(reply), entry.getValue()));
				}
				// "EN": gone (expired or evicted) since the dump.
			}
			for (int i = 0; !connection.readLine().equals("MN"); i++) {
				if (i > MAX_OTHER_LINES) {
					throw new ProtocolException("no end of the mg replies");
				}
			}
		}
		catch (IOException ex) {
			throw new CacheAccessException("memcached " + server + " key listing failed: " + ex.getMessage(), ex);
		}
		return keys;
	}

	private static long deadline() {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
	}

	/**
	 * One metadump line: {@code key=%3A1%3Ausername exp=1700000000 la=... cas=... fetch=no cls=1 size=68}; keys are
	 * URI-encoded, {@code exp=-1} is never, binary keys ({@code b} flag, base64) are skipped.
	 * @return whether the line named a key
	 */
	static boolean parseMetadump(String line, Map<String, @Nullable Instant> expiries) {
		String key = null;
		Instant expires = null;
		for (String field : line.split(" ")) {
			if (field.startsWith("key=")) {
				key = URLDecoder.decode(field.substring(4), StandardCharsets.UTF_8);
			}
			else if (field.startsWith("exp=")) {
				long exp = Long.parseLong(field.substring(4));
				expires = (exp > 0) ? Instant.ofEpochSecond(exp) : null;
			}
			else if (field.equals("b")) {
				return true;
			}
		}
		if (key == null) {
			return false;
		}
		// A key set over the binary protocol may hold what the text protocol cannot: it would break the mg requests.
		if (isTextKey(key)) {
			expiries.put(key, expires);
		}
		return true;
	}

	private static boolean isTextKey(String key) {
		if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 250) {
			return false;
		}
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c <= ' ' || c == 0x7f) {
				return false;
			}
		}
		return true;
	}

	private static @Nullable Long sizeFlag(String reply) {
		for (String token : reply.split(" ")) {
			if (token.startsWith("s") && token.length() > 1) {
				try {
					return Long.parseLong(token.substring(1));
				}
				catch (NumberFormatException ex) {
					return null;
				}
			}
		}
		return null;
	}

}
