package io.cacheframework.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Django's {@code vary_on_headers}: add these names to the response's {@code Vary} after the handler ran
 * ({@link CacheHeaders#patchVaryHeaders patch_vary_headers}), so the page cache keys on their values.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface VaryOnHeaders {

	/**
	 * The request header names.
	 * @return the names
	 */
	String[] value();

}
