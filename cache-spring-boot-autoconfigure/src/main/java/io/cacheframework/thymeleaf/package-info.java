/**
 * Template fragment caching for Thymeleaf: the {@code cache} dialect, Django's {@code {% cache %}} template tag.
 */
@NullMarked
package io.cacheframework.thymeleaf;

import org.jspecify.annotations.NullMarked;
