/**
 * Auto-configuration of the Thymeleaf fragment-caching dialect.
 */
@NullMarked
package io.cacheframework.autoconfigure.thymeleaf;

import org.jspecify.annotations.NullMarked;
