package io.cacheframework.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Django's {@code never_cache}: {@link CacheHeaders#addNeverCacheHeaders add_never_cache_headers} after the handler
 * ran ({@code Expires} now if absent, {@code Cache-Control: max-age=0, no-cache, no-store, must-revalidate,
 * private}). Such a page is never stored by the page cache.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NeverCache {

}
