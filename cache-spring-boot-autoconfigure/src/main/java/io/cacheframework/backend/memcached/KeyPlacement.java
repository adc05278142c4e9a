package io.cacheframework.backend.memcached;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Which server of a memcached cluster a key lives on, exactly as one of Django's memcached clients decides it, so a
 * Django application and this backend share a cluster key for key. Servers are numbered in {@code location} order;
 * keys are made keys ({@code ":1:foo"}) as Django sends them. Implementations are immutable and thread-safe.
 *
 * <p>Two questions: {@link #serverFor(String)} is the server while every server is up (what a client that never
 * ejects a server uses, down or not); {@link #serverFor(String, IntPredicate)} is the server once the client has
 * taken the servers that are not live out of the placement, each placement the way its Python client does it.
 *
 * <p>Both transports place keys through this interface, the one {@code options.distribution} chooses
 * ({@link MemcachedOptions.Distribution}). {@link SpyKetamaPlacement}, spymemcached's own continuum, which this
 * backend used before it placed keys as Django does, is kept only to tell what moved.
 */
sealed interface KeyPlacement permits RendezvousPlacement, KetamaPlacement, ModulaPlacement, SpyKetamaPlacement {

	/**
	 * The placement for a {@code distribution} option over the servers of a {@code location}.
	 * @param distribution the placement
	 * @param servers the servers as written in {@code location} ({@code host:port}, {@code [v6]:port}, {@code host},
	 * {@code unix:/path} or {@code /path}), in order
	 * @return the placement
	 */
	static KeyPlacement of(MemcachedOptions.Distribution distribution, List<String> servers) {
		return switch (distribution) {
			case RENDEZVOUS -> RendezvousPlacement.ofLocations(servers);
			case KETAMA -> KetamaPlacement.ofLocations(servers);
			case MODULA -> new ModulaPlacement(servers.size(), LibmemcachedHash.ONE_AT_A_TIME);
		};
	}

	/** @return how many servers the placement spreads keys over */
	int serverCount();

	/**
	 * The server for a key while every server is up.
	 * @param key the made key
	 * @return its index in {@code location} order
	 */
	int serverFor(String key);

	/**
	 * The server for a key once the servers that are not live are out of the placement, as the matching Python
	 * client does it after ejecting them (see each implementation).
	 * @param key the made key
	 * @param live whether the server with a given index is live
	 * @return the server's index, or {@code -1} if the key has no live server
	 */
	int serverFor(String key, IntPredicate live);

	/**
	 * The servers a key goes to as servers drop out one after the other: first {@link #serverFor(String)}, then
	 * the server it goes to once that one is ejected, and so on; a placement that never moves a key (modula) gives
	 * one server.
	 * @param key the made key
	 * @return server indices, most preferred first, each at most once
	 */
	default int[] preference(String key) {
		BitSet remaining = new BitSet();
		remaining.set(0, serverCount());
		int[] order = new int[serverCount()];
		int count = 0;
		int next = serverFor(key);
		while (next >= 0) {
			order[count++] = next;
			remaining.clear(next);
			next = remaining.isEmpty() ? -1 : serverFor(key, remaining::get);
		}
		return (count == order.length) ? order : Arrays.copyOf(order, count);
	}

}
