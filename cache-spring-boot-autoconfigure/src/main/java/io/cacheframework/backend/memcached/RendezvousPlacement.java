package io.cacheframework.backend.memcached;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * pymemcache's {@code HashClient} placement (3.x and 4.x alike), which Django's {@code PyMemcacheCache} uses:
 * rendezvous (highest random weight) hashing. Each server scores a key with MurmurHash3 x86_32, seed 0, of
 * {@code "<node>-<key>"}; the highest unsigned score wins and a tie goes to the greater node name. pymemcache hashes
 * a Python {@code str} taking {@code ord(c) & 0xFF} of each code point as one byte, so {@code é} (U+00E9) and
 * {@code ĩ} (U+0129) count alike and a supplementary character is one byte, not two surrogates nor four UTF-8 bytes.
 * The node name is {@code host:port} as pymemcache normalises the {@code LOCATION} entry: a bare host gets
 * {@code :11211}, the brackets of an IPv6 host are dropped ({@code [::1]:11211} is {@code ::1:11211}), the port is
 * a number ({@code 011211} is {@code 11211}), and a unix socket is its path ({@code unix:/p} and {@code /p} are
 * {@code /p}).
 *
 * <p><b>A server that is down</b> (pymemcache 3.5 and 4.0; Django keeps pymemcache's defaults
 * {@code retry_attempts=2}, {@code retry_timeout=1}, {@code dead_timeout=60}, {@code ignore_exc=False}). Each
 * {@code HashClient} keeps its own state, and Django has one per thread and alias:
 * <ol>
 * <li>A socket error on server S marks S failed (0 attempts) and, with {@code ignore_exc=False}, is raised to
 * Django's caller.</li>
 * <li>While S is failed, a call for a key of S within {@code retry_timeout} of its last failure returns the
 * default (a miss, a failed {@code set}) without I/O; a later call retries S: success clears the failure, another
 * socket error counts one more attempt and is raised.</li>
 * <li>At {@code retry_attempts} attempts, the next call for a key of S removes S from the hasher (that call itself
 * still goes to S). From then on every key of S goes to its best-scoring remaining node:
 * {@link #serverFor(String, IntPredicate)}. No node left: {@code MemcacheError}.</li>
 * <li>Every {@code dead_timeout} seconds at most, a call puts back the servers removed more than
 * {@code dead_timeout} ago, so S takes its keys back 60 to 120 s after its removal.</li>
 * </ol>
 * With the defaults, a dead server costs four raised errors over at least two seconds, then its keys move to the
 * next-best live node; keys of other servers never move.
 */
final class RendezvousPlacement implements KeyPlacement {

	private final String[] names;

	/** Each node name followed by {@code -}, one byte per code point. */
	private final byte[][] prefixes;

	/** A node's position in Python's string order, for ties. */
	private final int[] rank;

	RendezvousPlacement(List<String> nodeNames) {
		if (nodeNames.isEmpty()) {
			throw new IllegalArgumentException("A placement needs at least one server");
		}
		int count = nodeNames.size();
		this.names = nodeNames.toArray(new String[0]);
		this.prefixes = new byte[count][];
		for (int i = 0; i < count; i++) {
			this.prefixes[i] = lowBytes(this.names[i] + "-");
		}
		Integer[] order = new Integer[count];
		Arrays.setAll(order, (i) -> i);
		Arrays.sort(order, Comparator.comparing((Integer i) -> this.names[i], RendezvousPlacement::comparePython));
		this.rank = new int[count];
		for (int position = 0; position < count; position++) {
			int index = order[position];
			// Equal names (a server listed twice) share a rank: the first listed wins, as they are one node to
			// pymemcache.
			boolean same = position > 0 && this.names[order[position - 1]].equals(this.names[index]);
			this.rank[index] = same ? this.rank[order[position - 1]] : position;
		}
	}

	/**
	 * @param servers {@code location} entries
	 * @return the placement over their pymemcache node names
	 */
	static RendezvousPlacement ofLocations(List<String> servers) {
		List<String> names = new ArrayList<>(servers.size());
		for (String server : servers) {
			names.add(nodeName(server));
		}
		return new RendezvousPlacement(names);
	}

	/**
	 * The name pymemcache hashes for a {@code LOCATION} entry: {@code normalize_server_spec} and then
	 * {@code HashClient._make_client_key}.
	 * @param server the entry
	 * @return {@code host:port} or the socket path
	 */
	static String nodeName(String server) {
		if (server.startsWith("unix:")) {
			return server.substring("unix:".length());
		}
		if (server.startsWith("/")) {
			return server;
		}
		String host = server;
		int port = 11211;
		if (server.indexOf(':') >= 0 && !server.endsWith("]")) {
			int colon = server.lastIndexOf(':');
			host = server.substring(0, colon);
			port = Integer.parseInt(server.substring(colon + 1));
		}
		if (host.startsWith("[")) {
			// Python's strip("[]") drops every bracket at either end.
			int start = 0;
			int end = host.length();
			while (start < end && isBracket(host.charAt(start))) {
				start++;
			}
			while (end > start && isBracket(host.charAt(end - 1))) {
				end--;
			}
			host = host.substring(start, end);
		}
		return host + ":" + port;
	}

	private static boolean isBracket(char c) {
		return c == '[' || c == ']';
	}

	/** @return the node name of a server, as pymemcache hashes it */
	String nodeName(int index) {
		return this.names[index];
	}

	@Override
	public int serverCount() {
		return this.names.length;
	}

	@Override
	public int serverFor(String key) {
		return serverFor(key, (index) -> true);
	}

	/**
	 * The highest score among the live servers: where pymemcache sends the key once the other servers are removed
	 * from its hasher.
	 */
	@Override
	public int serverFor(String key, IntPredicate live) {
		byte[] keyBytes = lowBytes(key);
		int best = -1;
		long bestScore = -1;
		for (int i = 0; i < this.names.length; i++) {
			if (!live.test(i)) {
				continue;
			}
			long score = Integer.toUnsignedLong(murmur3(this.prefixes[i], keyBytes));
			if (score > bestScore || (score == bestScore && this.rank[i] > this.rank[best])) {
				best = i;
				bestScore = score;
			}
		}
		return best;
	}

	/**
	 * pymemcache's {@code murmur3_32(data, seed=0)} of a string: one byte per code point, its low eight bits.
	 * @param data the string
	 * @return the unsigned 32-bit hash
	 */
	static int murmur3(CharSequence data) {
		return murmur3(new byte[0], lowBytes(data));
	}

	/** MurmurHash3 x86_32, seed 0, of {@code first} followed by {@code second}, without joining them. */
	private static int murmur3(byte[] first, byte[] second) {
		int length = first.length + second.length;
		int rounded = length & ~3;
		int h1 = 0;
		for (int i = 0; i < rounded; i += 4) {
			int k1 = byteAt(first, second, i) | byteAt(first, second, i + 1) << 8
					| byteAt(first, second, i + 2) << 16 | byteAt(first, second, i + 3) << 24;
			h1 ^= mixK1(k1);
			h1 = Integer.rotateLeft(h1, 13);
			h1 = h1 * 5 + 0xe6546b64;
		}
		int tail = length & 3;
		if (tail > 0) {
			int k1 = 0;
			if (tail == 3) {
				k1 = byteAt(first, second, rounded + 2) << 16;
			}
			if (tail >= 2) {
				k1 |= byteAt(first, second, rounded + 1) << 8;
			}
			k1 |= byteAt(first, second, rounded);
			h1 ^= mixK1(k1);
		}
		h1 ^= length;
		h1 ^= h1 >>> 16;
		h1 *= 0x85ebca6b;
		h1 ^= h1 >>> 13;
		h1 *= 0xc2b2ae35;
		h1 ^= h1 >>> 16;
		return h1;
	}

	private static int mixK1(int k1) {
		return Integer.rotateLeft(k1 * 0xcc9e2d51, 15) * 0x1b873593;
	}

	private static int byteAt(byte[] first, byte[] second, int index) {
		return ((index < first.length) ? first[index] : second[index - first.length]) & 0xFF;
	}

	/** One byte per code point: what pymemcache's {@code ord(data[i]) & 0xff} reads. */
	private static byte[] lowBytes(CharSequence text) {
		String string = text.toString();
		byte[] bytes = new byte[string.codePointCount(0, string.length())];
		int j = 0;
		for (int i = 0; i < string.length();) {
			int codePoint = string.codePointAt(i);
			bytes[j++] = (byte) codePoint;
			i += Character.charCount(codePoint);
		}
		return bytes;
	}

	/** Python's {@code str} order: code point by code point (Java's {@code compareTo} compares UTF-16 units). */
	static int comparePython(String a, String b) {
		int i = 0;
		int j = 0;
		while (i < a.length() && j < b.length()) {
			int ca = a.codePointAt(i);
			int cb = b.codePointAt(j);
			if (ca != cb) {
				return Integer.compare(ca, cb);
			}
			i += Character.charCount(ca);
			j += Character.charCount(cb);
		}
		return Boolean.compare(i < a.length(), j < b.length());
	}

}
