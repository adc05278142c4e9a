package io.cacheframework.backend.memcached;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * spymemcached's Ketama continuum ({@code Locator.CONSISTENT} with {@code KETAMA_HASH}): the placement this backend
 * used before {@code options.distribution} placed keys as Django does, kept key for key to tell which keys an upgrade
 * moves (no distribution chooses it). Each server contributes 160 points, four
 * from each MD5 digest of {@code "<name>-<i>"} for i = 0..39, where the name is what spymemcached prints for its
 * address ({@code 127.0.0.1:11211}, {@code host/10.0.0.1:11211}; a unix socket's path); a point two servers share
 * goes to the server listed last. A key goes to the first point at or after the first four bytes of its MD5
 * (little-endian), wrapping to the first point.
 *
 * <p><b>A server that is down.</b> spymemcached's {@code FailureMode.Redistribute} does not walk the continuum: it
 * tries the key's point, then up to six points found by rehashing ({@code hash(i + key)} added to the previous
 * point), and uses the first live server among those seven; a key whose seven tries all land on dead servers has no
 * server ({@code -1}), one key in 2<sup>7</sup> with one of two servers down.
 */
final class SpyKetamaPlacement implements KeyPlacement {

	private static final int POINTS_PER_SERVER = 160;

	private static final int TRIES = 7;

	private final int servers;

	/** The continuum's points, ascending, and the server of each. */
	private final long[] points;

	private final int[] owners;

	/**
	 * @param names the servers' names as spymemcached prints them, in {@code location} order
	 */
	SpyKetamaPlacement(List<String> names) {
		if (names.isEmpty()) {
			throw new IllegalArgumentException("A placement needs at least one server");
		}
		this.servers = names.size();
		TreeMap<Long, Integer> continuum = new TreeMap<>();
		MessageDigest md5 = LibmemcachedHash.md5();
		for (int server = 0; server < names.size(); server++) {
			for (int i = 0; i < POINTS_PER_SERVER / 4; i++) {
				byte[] digest = md5.digest((names.get(server) + "-" + i).getBytes(StandardCharsets.UTF_8));
				for (int alignment = 0; alignment < 4; alignment++) {
					continuum.put(Integer.toUnsignedLong(LibmemcachedHash.point(digest, alignment)), server);
				}
			}
		}
		this.points = new long[continuum.size()];
		this.owners = new int[continuum.size()];
		int index = 0;
		for (Map.Entry<Long, Integer> point : continuum.entrySet()) {
			this.points[index] = point.getKey();
			this.owners[index++] = point.getValue();
		}
	}

	/**
	 * The placement over servers as spymemcached names them: {@code String.valueOf(address)} without a leading
	 * {@code /}.
	 * @param addresses the servers, in {@code location} order
	 * @return the placement
	 */
	static SpyKetamaPlacement of(List<? extends SocketAddress> addresses) {
		List<String> names = new ArrayList<>(addresses.size());
		for (SocketAddress address : addresses) {
			String name = String.valueOf(address);
			names.add(name.startsWith("/") ? name.substring(1) : name);
		}
		return new SpyKetamaPlacement(names);
	}

	@Override
	public int serverCount() {
		return this.servers;
	}

	@Override
	public int serverFor(String key) {
		return (this.servers == 1) ? 0 : ownerAt(hash(key));
	}

	@Override
	public int serverFor(String key, IntPredicate live) {
		long point = hash(key);
		for (int tries = 0; tries < TRIES; tries++) {
			int server = (this.servers == 1) ? 0 : ownerAt(point);
			if (live.test(server)) {
				return server;
			}
			long next = hash(tries + key);
			// As spymemcached: Long.hashCode() of the new hash, added to the point, kept to 32 bits.
			point = (point + (int) (next ^ (next >>> 32))) & 0xFFFFFFFFL;
		}
		return -1;
	}

	private int ownerAt(long point) {
		int index = Arrays.binarySearch(this.points, point);
		if (index < 0) {
			index = -index - 1;
			if (index == this.points.length) {
				index = 0;
			}
		}
		return this.owners[index];
	}

	private static long hash(String key) {
		return Integer.toUnsignedLong(LibmemcachedHash.MD5.hash(key.getBytes(StandardCharsets.UTF_8)));
	}

}
