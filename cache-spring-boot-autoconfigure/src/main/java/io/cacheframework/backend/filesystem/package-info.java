/**
 * The file-system backend, Django's {@code FileBasedCache}, made atomic, crash-safe and safe to share between
 * processes.
 */
@NullMarked
package io.cacheframework.backend.filesystem;

import org.jspecify.annotations.NullMarked;
