/**
 * The memcached backend, Django's {@code PyMemcacheCache} / {@code PyLibMCCache}, on spymemcached for TCP servers
 * and a small text-protocol client for unix domain sockets.
 *
 * <p>One file per job: {@code MemcachedCacheBackend} (the primitives, as Django's backend methods),
 * {@code MemcachedOptions} (the options), {@code MemcachedLocation} (reading {@code location}),
 * {@code MemcachedFlags} (values to Django's flags and back, through the value codec), {@code MemcachedTransport}
 * with {@code SpyTransport} (TCP) and {@code UnixSocketTransport} (unix sockets, on {@code TextConnection}),
 * {@code OutagePolicy} (per-server breaker, where a down server's keys go, flush after an outage) with
 * {@code ServerLog} (its log lines), {@code KeyPlacement} and its implementations (which server a key lives on),
 * and {@code MemcachedKeyDump} (the key listing).
 */
@NullMarked
package io.cacheframework.backend.memcached;

import org.jspecify.annotations.NullMarked;
