package io.cacheframework.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Django's {@code cache_page}: cache the handler's rendered page for {@code value} seconds, whatever the response's
 * {@code max-age} says. On a method or a controller class (every handler in it). It goes through the same rules as
 * the site-wide cache (only GET/HEAD, only 200, nothing private, ...). Like Django it ignores
 * {@code app.cache-middleware.alias}/{@code key-prefix}: the alias is {@code default} and the prefix {@code ""}
 * unless given here.
 *
 * <pre class="code">
 * &#64;CachePage(60 * 15)
 * &#64;GetMapping("/foo/{code}")
 * String foo(&#64;PathVariable int code) { ... }
 * </pre>
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CachePage {

	/**
	 * Seconds to cache the page; 0 sends {@code max-age=0} and stores nothing.
	 * @return the timeout in seconds
	 */
	long value();

	/**
	 * The cache alias; {@code ""} means {@code default}.
	 * @return the alias
	 */
	String cache() default "";

	/**
	 * The key prefix of the page keys.
	 * @return the prefix
	 */
	String keyPrefix() default "";

}
