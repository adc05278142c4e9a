package io.cacheframework.backend.memcached;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheInspection.KeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code stats cachedump} for one memcached server, on a throwaway connection of its own (never the
 * client's): {@code lru_crawler metadump all} lists keys with their expiry, then a pipelined
 * {@code mg <key> s} per key reads each value's size without transferring the value.
 */
final class MemcachedKeyDump {

	private static final int TIMEOUT_MILLIS = 2000;

	private MemcachedKeyDump() {
	}

	/**
	 * List up to {@code limit} keys of a server.
	 * @param server {@code host:port} or a unix socket path
	 * @param limit the most keys
	 * @return the keys
	 * @throws CacheAccessException if the server cannot be asked
	 */
	static List<KeyInfo> dump(String server, int limit) {
		if (limit <= 0) {
			return List.of();
		}
		Map<String, @Nullable Instant> expiries = new LinkedHashMap<>();
		try (Connection connection = Connection.open(server)) {
			connection.send("lru_crawler metadump all\r\n");
			while (expiries.size() < limit) {
				String line = connection.readLine();
				if (line.equals("END")) {
					break;
				}
				if (line.startsWith("BUSY") || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
						|| line.startsWith("SERVER_ERROR")) {
					throw new CacheAccessException("memcached " + server + " refused lru_crawler metadump: " + line);
				}
				parseMetadump(line, expiries);
			}
			// Stop reading here: the rest of a long dump is dropped with the connection.
		}
		catch (IOException ex) {
			throw new CacheAccessException("memcached " + server + " key listing failed: " + ex.getMessage(), ex);
		}
		if (expiries.isEmpty()) {
			return List.of();
		}
		List<KeyInfo> keys = new ArrayList<>(expiries.size());
		try (Connection connection = Connection.open(server)) {
			StringBuilder requests = new StringBuilder();
			for (String key : expiries.keySet()) {
				requests.append("mg ").append(key).append(" s\r\n");
			}
			requests.append("mn\r\n");
			connection.send(requests.toString());
			for (Map.Entry<String, @Nullable Instant> entry : expiries.entrySet()) {
				String reply = connection.readLine();
				if (reply.startsWith("HD")) {
					keys.add(new KeyInfo(entry.getKey(), sizeFlag(reply), entry.getValue()));
				}
				// "EN": gone (expired or evicted) since the dump.
			}
			while (!connection.readLine().equals("MN")) {
				// Drain to the no-op marker.
			}
		}
		catch (IOException ex) {
			throw new CacheAccessException("memcached " + server + " key listing failed: " + ex.getMessage(), ex);
		}
		return keys;
	}

	/**
	 * One metadump line: {@code key=%3A1%3Ausername exp=1700000000 la=... cas=... fetch=no cls=1 size=68}; keys are
	 * URI-encoded, {@code exp=-1} is never, binary keys ({@code b} flag, base64) are skipped.
	 */
	static void parseMetadump(String line, Map<String, @Nullable Instant> expiries) {
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
				return;
			}
		}
		if (key != null) {
			expiries.put(key, expires);
		}
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

	private static final class Connection implements AutoCloseable {

		private final AutoCloseable resource;

		private final InputStream in;

		private final OutputStream out;

		private Connection(AutoCloseable resource, InputStream in, OutputStream out) {
			this.resource = resource;
			this.in = in;
			this.out = out;
		}

		static Connection open(String server) throws IOException {
			if (server.startsWith("/")) {
				SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
				channel.connect(UnixDomainSocketAddress.of(server));
				return new Connection(channel, new BufferedInputStream(Channels.newInputStream(channel)),
						Channels.newOutputStream(channel));
			}
			int colon = server.lastIndexOf(':');
			Socket socket = new Socket();
			try {
				socket.connect(new InetSocketAddress(server.substring(0, colon),
						Integer.parseInt(server.substring(colon + 1))), TIMEOUT_MILLIS);
				socket.setSoTimeout(TIMEOUT_MILLIS);
				return new Connection(socket, new BufferedInputStream(socket.getInputStream()), socket.getOutputStream());
			}
			catch (IOException | RuntimeException ex) {
				socket.close();
				throw ex;
			}
		}

		void send(String text) throws IOException {
			this.out.write(text.getBytes(StandardCharsets.US_ASCII));
			this.out.flush();
		}

		String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream(128);
			int b;
			while ((b = this.in.read()) != -1) {
				if (b == '\n') {
					byte[] bytes = line.toByteArray();
					int length = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
					return new String(bytes, 0, length, StandardCharsets.UTF_8);
				}
				line.write(b);
			}
			throw new IOException("connection closed by the server");
		}

		@Override
		public void close() throws IOException {
			try {
				this.resource.close();
			}
			catch (IOException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IOException(ex);
			}
		}

	}

}
