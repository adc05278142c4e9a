package io.cacheframework.autoconfigure.web;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Page caching settings: {@code app.cache-middleware.*} (Django's {@code CACHE_MIDDLEWARE_*}) and
 * {@code app.cache-pages[i].*} (Django's {@code cache_page} in the URLconf).
 *
 * @since 0.1.0
 */
@ConfigurationProperties("app")
public class CachePageProperties {

	private final CacheMiddleware cacheMiddleware = new CacheMiddleware();

	/**
	 * Per-view caching by MVC path pattern, without editing the controller (Django's cache_page in the URLconf).
	 * The first matching entry wins; a @CachePage annotation wins over every entry.
	 */
	private List<CachePageEntry> cachePages = new ArrayList<>();

	/**
	 * The site-wide page cache.
	 * @return the settings
	 */
	public CacheMiddleware getCacheMiddleware() {
		return this.cacheMiddleware;
	}

	/**
	 * Per-view caching by path.
	 * @return the entries
	 */
	public List<CachePageEntry> getCachePages() {
		return this.cachePages;
	}

	/**
	 * Set the per-view entries.
	 * @param cachePages the entries
	 */
	public void setCachePages(List<CachePageEntry> cachePages) {
		this.cachePages = cachePages;
	}

	/**
	 * Django's CACHE_MIDDLEWARE_* settings and this library's page-cache options.
	 */
	public static class CacheMiddleware {

		/**
		 * Whether every GET/HEAD page is cached (Django's UpdateCacheMiddleware + FetchFromCacheMiddleware).
		 */
		private boolean enabled;

		/**
		 * Cache alias the site-wide page cache uses (Django's CACHE_MIDDLEWARE_ALIAS).
		 */
		private String alias = "default";

		/**
		 * Seconds a page is cached when the response sets no max-age (Django's CACHE_MIDDLEWARE_SECONDS). Also the
		 * fallback of per-view entries.
		 */
		private long seconds = 600;

		/**
		 * Prefix of the site-wide page keys, to share one cache between sites (Django's
		 * CACHE_MIDDLEWARE_KEY_PREFIX).
		 */
		private String keyPrefix = "";

		/**
		 * Whether page keys end with the request locale from the application's LocaleResolver (Django's USE_I18N);
		 * Accept-Language is then left out of the Vary hash.
		 */
		private boolean useI18n = true;

		/**
		 * Whether page keys end with the request time zone when the LocaleResolver supplies one (Django's USE_TZ).
		 */
		private boolean useTz = true;

		/**
		 * Largest response body stored; larger pages are streamed to the client and not cached.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(1);

		/**
		 * Hosts whose pages may be cached (Django's ALLOWED_HOSTS syntax: "example.com", ".example.com" for
		 * subdomains, "*"). Empty: any host; the host is always part of the key.
		 */
		private List<String> allowedHosts = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getAlias() {
			return this.alias;
		}

		public void setAlias(String alias) {
			this.alias = alias;
		}

		public long getSeconds() {
			return this.seconds;
		}

		public void setSeconds(long seconds) {
			this.seconds = seconds;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public boolean isUseI18n() {
			return this.useI18n;
		}

		public void setUseI18n(boolean useI18n) {
			this.useI18n = useI18n;
		}

		public boolean isUseTz() {
			return this.useTz;
		}

		public void setUseTz(boolean useTz) {
			this.useTz = useTz;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public List<String> getAllowedHosts() {
			return this.allowedHosts;
		}

		public void setAllowedHosts(List<String> allowedHosts) {
			this.allowedHosts = allowedHosts;
		}

	}

	/**
	 * One per-view entry: Django's {@code path("foo/<int:code>/", cache_page(60 * 15)(my_view))}.
	 */
	public static class CachePageEntry {

		/**
		 * MVC path pattern of the pages, e.g. "/articles/**" or "/foo/{code}".
		 */
		private String path;

		/**
		 * Seconds the pages are cached; wins over the response's max-age (Django's cache_page timeout).
		 */
		private long timeout = 600;

		/**
		 * Cache alias; empty means "default" (cache_page ignores CACHE_MIDDLEWARE_ALIAS).
		 */
		private String cache = "";

		/**
		 * Prefix of the page keys (cache_page ignores CACHE_MIDDLEWARE_KEY_PREFIX).
		 */
		private String keyPrefix = "";

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

		public long getTimeout() {
			return this.timeout;
		}

		public void setTimeout(long timeout) {
			this.timeout = timeout;
		}

		public String getCache() {
			return this.cache;
		}

		public void setCache(String cache) {
			this.cache = cache;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

	}

}
