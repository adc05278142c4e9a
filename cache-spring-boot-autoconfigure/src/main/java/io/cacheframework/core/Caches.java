package io.cacheframework.core;

import java.util.Set;

/**
 * The configured caches by alias: Django's {@code caches}.
 *
 * <pre class="code">
 * caches.get("default").set("username", "guyan", Timeout.seconds(120));
 * </pre>
 *
 * @since 0.1.0
 */
public interface Caches {

	/**
	 * The cache configured under an alias.
	 * @param alias the alias, e.g. {@code "default"}
	 * @return the cache
	 * @throws IllegalArgumentException for an unknown alias, naming it and the known aliases
	 */
	CacheBackend get(String alias);

	/**
	 * The configured aliases.
	 * @return the aliases, in configuration order
	 */
	Set<String> aliases();

}
