/**
 * The dummy backend, Django's {@code DummyCache}.
 */
@NullMarked
package io.cacheframework.backend.dummy;

import org.jspecify.annotations.NullMarked;
