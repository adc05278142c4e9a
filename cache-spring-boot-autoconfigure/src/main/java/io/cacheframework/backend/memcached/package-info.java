/**
 * The memcached backend, Django's {@code PyMemcacheCache} / {@code PyLibMCCache}, on spymemcached for TCP servers
 * and a small text-protocol client for unix domain sockets.
 */
@NullMarked
package io.cacheframework.backend.memcached;

import org.jspecify.annotations.NullMarked;
