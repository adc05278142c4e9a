/**
 * Spring's cache abstraction over the configured caches: {@code @Cacheable} and friends.
 */
@NullMarked
package io.cacheframework.spring;

import org.jspecify.annotations.NullMarked;
