package io.cacheframework.backend.memcached;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.cacheframework.core.CacheAccessException;
import org.jspecify.annotations.Nullable;

/**
 * The asynchronous twins of {@link MemcachedTransport}'s wire operations, for a transport whose client has futures
 * of its own (spymemcached): no thread waits for an answer, and each future completes within the operation timeout.
 * A failure completes the future with a {@link CacheAccessException}, as the blocking call throws it, and a key
 * whose server is known to be down fails it at once. A transport without them (the unix-socket client) has its
 * blocking calls run on the cache's bounded executor instead.
 */
interface AsyncMemcachedTransport {

	/** A missing key gives {@code null}. */
	CompletableFuture<@Nullable MemcachedItem> getAsync(String key);

	/** One multi-get per server, as {@link MemcachedTransport#getMany}. */
	CompletableFuture<Map<String, MemcachedItem>> getManyAsync(List<String> keys,
			Consumer<CacheAccessException> failures);

	/** {@code set} or {@code add}; whether it was stored. */
	CompletableFuture<Boolean> storeAsync(boolean add, String key, int exptime, MemcachedItem item);

	/** Stores all items at once; completes with the keys that failed. */
	CompletableFuture<List<String>> storeManyAsync(Map<String, MemcachedItem> items, int exptime);

	CompletableFuture<Boolean> touchAsync(String key, int exptime);

	CompletableFuture<Boolean> deleteAsync(String key);

	/** Deletes all keys at once, best effort; fails if some could not be deleted. */
	CompletableFuture<@Nullable Void> deleteManyAsync(List<String> keys);

	/** {@code incr} for a positive delta, {@code decr} for a negative one; {@code null} if the key is missing. */
	CompletableFuture<@Nullable Long> incrAsync(String key, long delta);

	/** {@code flush_all} on every server. */
	CompletableFuture<@Nullable Void> flushAsync();

}
