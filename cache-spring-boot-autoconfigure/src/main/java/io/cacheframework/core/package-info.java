/**
 * The low-level cache API: Django's {@code caches} ({@link io.cacheframework.core.Caches}), one cache
 * ({@link io.cacheframework.core.CacheBackend}), timeouts, key functions, template fragment keys, and the base
 * class every backend extends.
 */
@NullMarked
package io.cacheframework.core;

import org.jspecify.annotations.NullMarked;
