package io.cacheframework.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Django's {@code cache_control}: merge these directives into the response's {@code Cache-Control} after the
 * handler ran, with {@link CacheHeaders#patchCacheControl(String, java.util.Map) patch_cache_control}'s rules
 * (the smaller {@code max-age} wins, {@code public} replaces an existing {@code private} and vice versa). With no
 * directive at all an empty {@code Cache-Control} header is set, as in Django.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CacheControl {

	/**
	 * {@code max-age} in seconds; -1 = absent.
	 * @return the max-age
	 */
	long maxAge() default -1;

	/**
	 * {@code s-maxage} in seconds; -1 = absent.
	 * @return the s-maxage
	 */
	long sMaxAge() default -1;

	/**
	 * Whether to add {@code public}.
	 * @return whether public
	 */
	boolean cachePublic() default false;

	/**
	 * Whether to add {@code private}.
	 * @return whether private
	 */
	boolean cachePrivate() default false;

	/**
	 * Whether to add {@code no-cache}.
	 * @return whether no-cache
	 */
	boolean noCache() default false;

	/**
	 * Whether to add {@code no-store}.
	 * @return whether no-store
	 */
	boolean noStore() default false;

	/**
	 * Whether to add {@code no-transform}.
	 * @return whether no-transform
	 */
	boolean noTransform() default false;

	/**
	 * Whether to add {@code must-revalidate}.
	 * @return whether must-revalidate
	 */
	boolean mustRevalidate() default false;

	/**
	 * Whether to add {@code proxy-revalidate}.
	 * @return whether proxy-revalidate
	 */
	boolean proxyRevalidate() default false;

}
