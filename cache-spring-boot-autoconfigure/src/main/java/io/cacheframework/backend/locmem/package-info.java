/**
 * The local-memory backend, Django's {@code LocMemCache}.
 */
@NullMarked
package io.cacheframework.backend.locmem;

import org.jspecify.annotations.NullMarked;
