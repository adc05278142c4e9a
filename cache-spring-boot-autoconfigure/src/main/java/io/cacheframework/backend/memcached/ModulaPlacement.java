package io.cacheframework.backend.memcached;

import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * libmemcached's default distribution, {@code MEMCACHED_DISTRIBUTION_MODULA}, which pylibmc, and so Django's
 * {@code PyLibMCCache} without behaviours, uses: the key's hash (libmemcached's default, one-at-a-time, over its
 * UTF-8 bytes) modulo the number of servers, unsigned; a single server takes every key.
 *
 * <p><b>A server that is down.</b> libmemcached never moves a key under modula: even with {@code remove_failed}
 * (auto-eject) on, the server is still {@code hash % count} of all configured servers, and a key of an ejected
 * server fails ({@code ServerDead}/{@code ServerDown}) instead of going elsewhere. So
 * {@link #serverFor(String, IntPredicate)} gives {@code -1} (a miss, a failed write) for a key whose server is not
 * live; Django's defaults ({@code remove_failed} 0) behave the same, first with {@code ConnectionError}, then
 * {@code ServerDown} without I/O for {@code retry_timeout} (2 s) between connect attempts.
 */
final class ModulaPlacement implements KeyPlacement {

	private final int servers;

	private final LibmemcachedHash hash;

	/**
	 * @param servers the number of servers
	 * @param hash the key hash (pylibmc's {@code "hash"} behaviour; its default is
	 * {@link LibmemcachedHash#ONE_AT_A_TIME})
	 */
	ModulaPlacement(int servers, LibmemcachedHash hash) {
		if (servers < 1) {
			throw new IllegalArgumentException("A placement needs at least one server");
		}
		this.servers = servers;
		this.hash = hash;
	}

	@Override
	public int serverCount() {
		return this.servers;
	}

	@Override
	public int serverFor(String key) {
		if (this.servers == 1) {
			return 0;
		}
		return Integer.remainderUnsigned(this.hash.hash(key.getBytes(StandardCharsets.UTF_8)), this.servers);
	}

	@Override
	public int serverFor(String key, IntPredicate live) {
		int server = serverFor(key);
		return live.test(server) ? server : -1;
	}

}
