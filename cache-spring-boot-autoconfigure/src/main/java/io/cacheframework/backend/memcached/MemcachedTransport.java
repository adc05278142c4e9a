package io.cacheframework.backend.memcached;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.cacheframework.core.CacheAccessException;
import org.jspecify.annotations.Nullable;

/**
 * The wire operations the backend needs, on raw items (flags and bytes): spymemcached for TCP servers
 * ({@link SpyTransport}), our own text-protocol client for unix sockets ({@link UnixSocketTransport}). Both place
 * keys with a {@link KeyPlacement} and handle outages through one {@link OutagePolicy}. Every method throws
 * {@link CacheAccessException} for a failure, and throws it at once (no waiting) for a key whose server is known to
 * be down.
 */
interface MemcachedTransport extends AutoCloseable {

	/** A missing key gives {@code null}. */
	@Nullable MemcachedItem get(String key);

	/**
	 * One multi-get; keys on servers that are down or slow are left out (a partial result), and each part that
	 * failed is handed to {@code failures}, so that it is counted and logged rather than passed over in silence.
	 * Throws only when no server of any key can be asked.
	 */
	Map<String, MemcachedItem> getMany(List<String> keys, Consumer<CacheAccessException> failures);

	/** {@code set} or {@code add}; whether it was stored. */
	boolean store(boolean add, String key, int exptime, MemcachedItem item);

	/** Stores all items at once; returns the keys that failed. */
	List<String> storeMany(Map<String, MemcachedItem> items, int exptime);

	boolean touch(String key, int exptime);

	boolean delete(String key);

	/** Deletes all keys at once, best effort. */
	void deleteMany(List<String> keys);

	/** {@code incr} for a positive delta, {@code decr} for a negative one; {@code null} if the key is missing. */
	@Nullable Long incr(String key, long delta);

	/** {@code flush_all} on every server. */
	void flush();

	/** The smallest {@code item_size_max} of the reachable servers, or {@code -1} if none answered. */
	long itemSizeMax();

	/** Statistics and liveness by server address, in configuration order. */
	Map<String, MemcachedCacheBackend.ServerStatus> servers();

	/** The address of the server a key lives on while all servers are up. */
	String serverFor(String key);

	/**
	 * Where to open a connection of one's own to a server (the key listing), or {@code null} if its host does not
	 * resolve yet.
	 * @param server an address as {@link #servers()} names it
	 */
	@Nullable SocketAddress socketAddress(String server);

	@Override
	void close();

}
