package io.cacheframework.backend.memcached;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;

import org.jspecify.annotations.Nullable;

/**
 * libmemcached's consistent Ketama continuum (1.0.18 and libmemcached-awesome 1.1 alike), as pylibmc, and so
 * Django's {@code PyLibMCCache}, uses it.
 *
 * <p>With {@code behaviors={"ketama": True}} ({@link #pylibmc}) libmemcached switches the distribution to
 * {@code CONSISTENT_KETAMA} only: the hash stays its default, one-at-a-time (pylibmc's documentation says MD5; the
 * library does not do that), and the continuum is unweighted. Each server contributes 100 points, the hash of
 * {@code "<host>:<port>-<i>"} for i = 0..99, or {@code "<host>-<i>"} when the port is 11211; a unix socket is its
 * path with port 0. A key goes to the first point at or after its own hash (wrapping to the first point); two
 * equal points go to the server listed first (libmemcached-awesome's order; 1.0.18 leaves it to {@code qsort}).
 *
 * <p>The continuum is weighted with {@code behaviors={"ketama_weighted": True}} ({@link #weighted}), which also
 * makes both hashes MD5, and also with {@code "ketama"} alone as soon as a server has a weight above 1 (pylibmc's
 * {@code host:port:weight}): pylibmc sets behaviours before adding servers, and libmemcached turns weighting on when
 * it adds such a server to a consistent distribution, leaving the key hash one-at-a-time. Weighted, a server with
 * weight w of a total W over n live servers gets {@code floor(w / W * 160 / 4 * n) * 4} points (single precision,
 * as libmemcached computes it), four from each MD5 digest of the same point names.
 *
 * <p><b>A server that is down.</b> libmemcached moves keys only when ejection is on, which Django's defaults leave
 * off ({@code remove_failed} 0): then a key of a down server is never sent elsewhere; its calls fail (pylibmc raises
 * {@code ConnectionError}, then {@code ServerDown} without I/O for {@code retry_timeout}, 2 s, before the next
 * connect attempt), which is {@link #serverFor(String)} with the server treated as a miss. With
 * {@code remove_failed} (auto-eject), once a server has failed {@code server_failure_limit} connect rounds (1.0.18:
 * the {@code remove_failed} value; libmemcached-awesome: {@code failure_limit}, default 5), the next call for it
 * fails with {@code ServerDead} and rebuilds the continuum from the other servers: its keys go to the next point of
 * a live server, {@link #serverFor(String, IntPredicate)}. After {@code dead_timeout} the server is back on the
 * continuum for one connect attempt (failing, it is ejected again). With {@code dead_timeout} 0 (the default) it is
 * back after {@code retry_timeout} but never tried again: its keys fail with {@code ServerDead} for good.
 */
final class KetamaPlacement implements KeyPlacement {

	static final int DEFAULT_PORT = 11211;

	private static final int POINTS_PER_SERVER = 100;

	private static final int POINTS_PER_SERVER_WEIGHTED = 160;

	private final List<Server> servers;

	private final LibmemcachedHash hash;

	private final boolean weighted;

	private final Continuum all;

	/** The weighted continuum last built for a live set: rebuilt only when the live set changes. */
	private volatile @Nullable Continuum lastLive;

	private KetamaPlacement(List<Server> servers, LibmemcachedHash hash, boolean weighted) {
		if (servers.isEmpty()) {
			throw new IllegalArgumentException("A placement needs at least one server");
		}
		this.servers = List.copyOf(servers);
		this.hash = hash;
		this.weighted = weighted;
		BitSet everyone = new BitSet();
		everyone.set(0, servers.size());
		this.all = build(everyone);
	}

	/**
	 * pylibmc's {@code {"ketama": True}}.
	 * @param servers the servers in {@code location} order
	 * @return the placement
	 */
	static KetamaPlacement pylibmc(List<Server> servers) {
		return pylibmc(servers, LibmemcachedHash.ONE_AT_A_TIME);
	}

	/**
	 * pylibmc's {@code {"ketama": True, "hash": ...}}: keys (and the points of an unweighted continuum) hashed with
	 * {@code hash}.
	 * @param servers the servers in {@code location} order
	 * @param hash the key hash
	 * @return the placement
	 */
	static KetamaPlacement pylibmc(List<Server> servers, LibmemcachedHash hash) {
		boolean weighted = servers.stream().anyMatch((server) -> server.weight() > 1);
		return new KetamaPlacement(servers, hash, weighted);
	}

	/**
	 * pylibmc's {@code {"ketama_weighted": True}}: MD5 keys on the weighted MD5 continuum.
	 * @param servers the servers in {@code location} order, with their weights
	 * @return the placement
	 */
	static KetamaPlacement weighted(List<Server> servers) {
		return new KetamaPlacement(servers, LibmemcachedHash.MD5, true);
	}

	/**
	 * @param locations {@code location} entries
	 * @return pylibmc's {@code {"ketama": True}} over them
	 */
	static KetamaPlacement ofLocations(List<String> locations) {
		List<Server> servers = new ArrayList<>(locations.size());
		for (String location : locations) {
			servers.add(Server.parse(location));
		}
		return pylibmc(servers);
	}

	@Override
	public int serverCount() {
		return this.servers.size();
	}

	@Override
	public int serverFor(String key) {
		if (this.servers.size() == 1) {
			return 0;
		}
		return this.all.lookup(this.hash.hash(key.getBytes(StandardCharsets.UTF_8)), (index) -> true);
	}

	/**
	 * The server libmemcached picks after ejecting the servers that are not live: on the continuum rebuilt from the
	 * live servers. Unweighted, that is the first point at or after the key's hash that belongs to a live server;
	 * weighted, the live servers' shares of the points change with the live set.
	 */
	@Override
	public int serverFor(String key, IntPredicate live) {
		int count = this.servers.size();
		BitSet liveSet = new BitSet(count);
		for (int i = 0; i < count; i++) {
			if (live.test(i)) {
				liveSet.set(i);
			}
		}
		if (liveSet.isEmpty()) {
			return -1;
		}
		if (count == 1) {
			return 0;
		}
		int keyHash = this.hash.hash(key.getBytes(StandardCharsets.UTF_8));
		if (!this.weighted || liveSet.cardinality() == count) {
			return this.all.lookup(keyHash, liveSet::get);
		}
		Continuum continuum = this.lastLive;
		if (continuum == null || !continuum.live.equals(liveSet)) {
			continuum = build(liveSet);
			this.lastLive = continuum;
		}
		return continuum.lookup(keyHash, (index) -> true);
	}

	/** libmemcached's {@code update_continuum} over the live servers. */
	private Continuum build(BitSet live) {
		int liveCount = live.cardinality();
		long totalWeight = 0;
		for (int i = live.nextSetBit(0); i >= 0; i = live.nextSetBit(i + 1)) {
			totalWeight += this.servers.get(i).weight();
		}
		// Each point as (value with its sign bit flipped) << 32 | server: sorting these longs orders the points by
		// unsigned value, then by server (libmemcached-awesome's order; 1.0.18 leaves equal points to qsort).
		long[] points = new long[0];
		int count = 0;
		for (int i = live.nextSetBit(0); i >= 0; i = live.nextSetBit(i + 1)) {
			Server server = this.servers.get(i);
			String prefix = (server.port() == DEFAULT_PORT) ? server.host() + "-"
					: server.host() + ":" + server.port() + "-";
			if (this.weighted) {
				// Single precision throughout, and the cast back to float, as libmemcached's expression does.
				float share = (float) server.weight() / (float) totalWeight;
				float perFour = share * POINTS_PER_SERVER_WEIGHTED / 4 * (float) liveCount;
				int pointsPerServer = (int) Math.floor((float) (perFour + 0.0000000001)) * 4;
				points = Arrays.copyOf(points, count + pointsPerServer);
				MessageDigest md5 = LibmemcachedHash.md5();
				for (int p = 0; p < pointsPerServer / 4; p++) {
					byte[] digest = md5.digest((prefix + p).getBytes(StandardCharsets.UTF_8));
					for (int alignment = 0; alignment < 4; alignment++) {
						points[count++] = point(LibmemcachedHash.point(digest, alignment), i);
					}
				}
			}
			else {
				points = Arrays.copyOf(points, count + POINTS_PER_SERVER);
				for (int p = 0; p < POINTS_PER_SERVER; p++) {
					points[count++] = point(this.hash.hash((prefix + p).getBytes(StandardCharsets.UTF_8)), i);
				}
			}
		}
		Arrays.sort(points, 0, count);
		long[] values = new long[count];
		int[] owners = new int[count];
		for (int p = 0; p < count; p++) {
			values[p] = Integer.toUnsignedLong((int) (points[p] >>> 32) ^ Integer.MIN_VALUE);
			owners[p] = (int) points[p];
		}
		return new Continuum((BitSet) live.clone(), values, owners);
	}

	private static long point(int value, int server) {
		return ((long) (value ^ Integer.MIN_VALUE) << 32) | server;
	}

	/** The sorted points of one live set and the server owning each. */
	private record Continuum(BitSet live, long[] values, int[] owners) {

		/**
		 * The owner of the first point at or after {@code hash} (wrapping) among the servers {@code eligible}
		 * accepts, or {@code -1} if it accepts none.
		 */
		int lookup(int hash, IntPredicate eligible) {
			if (this.values.length == 0) {
				return -1;
			}
			int start = Arrays.binarySearch(this.values, Integer.toUnsignedLong(hash));
			if (start < 0) {
				start = -start - 1;
			}
			else {
				// binarySearch finds any of equal values: libmemcached takes the first.
				while (start > 0 && this.values[start - 1] == this.values[start]) {
					start--;
				}
			}
			for (int step = 0; step < this.values.length; step++) {
				int owner = this.owners[(start + step) % this.values.length];
				if (eligible.test(owner)) {
					return owner;
				}
			}
			return -1;
		}

	}

	/**
	 * A server as libmemcached names it on the continuum.
	 * @param host the host name or address as written (no brackets), or the unix socket path
	 * @param port the port, {@code 0} for a unix socket
	 * @param weight the weight, used by the weighted continuum only
	 */
	record Server(String host, int port, int weight) {

		Server {
			if (weight < 1) {
				throw new IllegalArgumentException("A server weight must be at least 1: " + weight);
			}
		}

		/**
		 * A {@code location} entry as Django's {@code PyLibMCCache} hands it to pylibmc: {@code unix:} is dropped,
		 * a path is a unix socket, otherwise pylibmc's {@code host[:port[:weight]]} or
		 * {@code [v6][:port[:weight]]}.
		 * @param location the entry
		 * @return the server
		 */
		static Server parse(String location) {
			String spec = location.startsWith("unix:") ? location.substring("unix:".length()) : location;
			if (spec.startsWith("/")) {
				return new Server(spec, 0, 1);
			}
			String host;
			String rest = null;
			if (spec.startsWith("[")) {
				int end = spec.indexOf(']');
				if (end < 0) {
					throw new IllegalArgumentException("Invalid memcached server '" + location + "'");
				}
				host = spec.substring(1, end);
				String after = spec.substring(end + 1);
				if (after.startsWith(":")) {
					rest = after.substring(1);
				}
				else if (!after.isEmpty()) {
					throw new IllegalArgumentException("Invalid memcached server '" + location + "'");
				}
			}
			else {
				int colon = spec.indexOf(':');
				host = (colon < 0) ? spec : spec.substring(0, colon);
				rest = (colon < 0) ? null : spec.substring(colon + 1);
			}
			int port = DEFAULT_PORT;
			int weight = 1;
			if (rest != null) {
				int colon = rest.indexOf(':');
				port = Integer.parseInt((colon < 0) ? rest : rest.substring(0, colon));
				if (colon >= 0) {
					weight = Integer.parseInt(rest.substring(colon + 1));
				}
			}
			return new Server(host, port, weight);
		}

	}

}
