/**
 * Values to bytes and back, safely: native encodings for plain types, Java serialization only through an
 * allow-list filter with size and depth limits.
 */
@NullMarked
package io.cacheframework.serializer;

import org.jspecify.annotations.NullMarked;
