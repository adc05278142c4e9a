package io.cacheframework.web;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How one page is cached: Django's {@code CacheMiddleware} arguments. The site-wide cache uses
 * {@code app.cache-middleware.*} ({@code CACHE_MIDDLEWARE_ALIAS}, {@code _KEY_PREFIX}, {@code _SECONDS}); a
 * {@link CachePage @CachePage} view or an {@code app.cache-pages} entry sets a page timeout, which wins over the
 * response's {@code max-age}, and uses alias {@code default} and prefix {@code ""} unless it names its own, as
 * Django's {@code cache_page} does.
 *
 * @param cacheAlias the cache alias
 * @param keyPrefix the key prefix of the page keys
 * @param cacheTimeout seconds used when neither a page timeout nor a {@code max-age} applies
 * @param pageTimeout seconds that override {@code max-age}, or {@code null}
 * @since 0.1.0
 */
public record PageCacheSettings(String cacheAlias, String keyPrefix, long cacheTimeout, @Nullable Long pageTimeout) {

	/**
	 * Django's {@code CACHE_MIDDLEWARE_SECONDS} default.
	 */
	public static final long DEFAULT_SECONDS = 600;

	/**
	 * Validate the settings.
	 * @param cacheAlias the cache alias
	 * @param keyPrefix the key prefix of the page keys
	 * @param cacheTimeout seconds used when neither a page timeout nor a {@code max-age} applies
	 * @param pageTimeout seconds that override {@code max-age}, or {@code null}
	 */
	public PageCacheSettings {
		Objects.requireNonNull(cacheAlias, "cacheAlias must not be null");
		Objects.requireNonNull(keyPrefix, "keyPrefix must not be null");
	}

	/**
	 * Site-wide settings (no page timeout).
	 * @param cacheAlias the alias
	 * @param keyPrefix the key prefix
	 * @param seconds the default timeout
	 * @return the settings
	 */
	public static PageCacheSettings siteWide(String cacheAlias, String keyPrefix, long seconds) {
		return new PageCacheSettings(cacheAlias, keyPrefix, seconds, null);
	}

	/**
	 * Per-view settings, Django's {@code cache_page(timeout, cache=..., key_prefix=...)}.
	 * @param timeout the page timeout in seconds
	 * @param cacheAlias the alias, {@code ""} or {@code null} for {@code default}
	 * @param keyPrefix the key prefix, {@code null} for {@code ""}
	 * @param defaultSeconds the middleware seconds (only used by Django when the page timeout is {@code None})
	 * @return the settings
	 */
	public static PageCacheSettings perView(long timeout, @Nullable String cacheAlias, @Nullable String keyPrefix,
			long defaultSeconds) {
		String alias = (cacheAlias == null || cacheAlias.isEmpty()) ? "default" : cacheAlias;
		return new PageCacheSettings(alias, (keyPrefix != null) ? keyPrefix : "", defaultSeconds, timeout);
	}

}
