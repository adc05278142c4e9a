/**
 * The file-system backend, Django's {@code FileBasedCache}, made atomic, crash-safe and safe to share between
 * processes. {@link io.cacheframework.backend.filesystem.FileSystemCacheBackend} holds the primitives and
 * {@link io.cacheframework.backend.filesystem.FileSystemOptions} its options; the package-private helpers have one
 * job each: {@code EntryFormat} (an entry file's bytes and the header's table beside the value codec),
 * {@code EntryReader} (reading and checking a file), {@code EntryWriter} (writing one: temporary file, atomic
 * rename, cleanup), {@code SharedDirectory} (a directory as this JVM shares it: availability, locks, listing,
 * count), {@code DirectorySafety} (refusing unsafe locations, creating directories 0700), {@code Culler} (Django's
 * {@code _cull}) and {@code DirectoryInspection} (the operators' view).
 */
@NullMarked
package io.cacheframework.backend.filesystem;

import org.jspecify.annotations.NullMarked;
