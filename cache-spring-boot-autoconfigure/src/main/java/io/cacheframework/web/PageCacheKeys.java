package io.cacheframework.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Timeout;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.context.i18n.LocaleContext;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.i18n.TimeZoneAwareLocaleContext;

/**
 * Django's page-cache key scheme ({@code _generate_cache_header_key}, {@code _generate_cache_key},
 * {@code _i18n_cache_key_suffix}):
 * <pre>
 * header key = views.decorators.cache.cache_header.{prefix}.{md5(absolute URI)}{suffix}
 * page key   = views.decorators.cache.cache_page.{prefix}.{method}.{md5(absolute URI)}.{md5(vary values)}{suffix}
 * </pre>
 * The absolute URI is the request URL as the servlet container (or Spring's {@code ForwardedHeaderFilter}, when the
 * application trusts forwarded headers) reports it: scheme, host, port, raw path and raw query. Each header named
 * in {@code Vary} adds {@code len:value,} (UTF-8 bytes) to the second hash, and an absent header adds {@code -,},
 * so an absent header and an empty one never share an entry (Django's CVE-2026-113593 fix).
 *
 * <p>{@code useI18n} (Django's {@code USE_I18N}) appends {@code .}+ the request locale as a lower-case language tag
 * (Spring's {@link LocaleContextHolder}, i.e. the application's {@code LocaleResolver}; {@code en-us}) and leaves
 * {@code Accept-Language} out of the Vary hash as Django does. {@code useTz} (Django's {@code USE_TZ}) appends
 * {@code .}+ the time-zone id when the locale context carries one (a {@code TimeZoneAwareLocaleContext}); the
 * server's default zone is the same for every request, so it is not appended.
 *
 * @since 0.1.0
 */
public final class PageCacheKeys {

	/**
	 * Locale and time-zone suffixes on (Django's defaults).
	 */
	public static final PageCacheKeys DEFAULT = new PageCacheKeys(true, true);

	private static final String HEADER_KEY = "views.decorators.cache.cache_header.";

	private static final String PAGE_KEY = "views.decorators.cache.cache_page.";

	private final boolean useI18n;

	private final boolean useTz;

	/**
	 * Create a key scheme.
	 * @param useI18n whether keys end with the request locale (Django's {@code USE_I18N})
	 * @param useTz whether keys end with the request time zone when one is set (Django's {@code USE_TZ})
	 */
	public PageCacheKeys(boolean useI18n, boolean useTz) {
		this.useI18n = useI18n;
		this.useTz = useTz;
	}

	/**
	 * The absolute URI the keys hash: {@code scheme://host[:port]/raw/path[?raw query]}.
	 * @param request the request
	 * @return the URI
	 */
	public static String absoluteUri(HttpServletRequest request) {
		StringBuffer url = request.getRequestURL();
		String query = request.getQueryString();
		if (query != null && !query.isEmpty()) {
			url.append('?').append(query);
		}
		return url.toString();
	}

	/**
	 * Django's {@code _i18n_cache_key_suffix} for the current request (read from {@link LocaleContextHolder}).
	 * @return the suffix, e.g. {@code ".en-us"} or {@code ""}
	 */
	public String suffix() {
		StringBuilder suffix = new StringBuilder();
		LocaleContext context = LocaleContextHolder.getLocaleContext();
		if (this.useI18n) {
			Locale locale = (context != null && context.getLocale() != null) ? context.getLocale()
					: LocaleContextHolder.getLocale();
			suffix.append('.').append(locale.toLanguageTag().toLowerCase(Locale.ROOT));
		}
		if (this.useTz && context instanceof TimeZoneAwareLocaleContext tzContext) {
			TimeZone zone = tzContext.getTimeZone();
			if (zone != null) {
				suffix.append('.').append(zone.getID());
			}
		}
		return suffix.toString();
	}

	/**
	 * Django's {@code _generate_cache_header_key}.
	 * @param keyPrefix the key prefix
	 * @param absoluteUri the request's absolute URI
	 * @param suffix the locale/time-zone suffix
	 * @return the header key
	 */
	public String headerKey(String keyPrefix, String absoluteUri, String suffix) {
		return HEADER_KEY + keyPrefix + '.' + md5(absoluteUri.getBytes(StandardCharsets.UTF_8)) + suffix;
	}

	/**
	 * Django's {@code _generate_cache_key}.
	 * @param request the request whose headers are hashed
	 * @param method the method in the key
	 * @param headerList the learned header list ({@code HTTP_ACCEPT_ENCODING}, ...)
	 * @param keyPrefix the key prefix
	 * @param absoluteUri the request's absolute URI
	 * @param suffix the locale/time-zone suffix
	 * @return the page key
	 */
	public String pageKey(HttpServletRequest request, String method, List<String> headerList, String keyPrefix,
			String absoluteUri, String suffix) {
		MessageDigest blob = md5();
		for (String metaName : headerList) {
			String value = CacheHeaders.header(request, headerName(metaName));
			if (value == null) {
				blob.update(new byte[] { '-', ',' });
			}
			else {
				byte[] data = value.getBytes(StandardCharsets.UTF_8);
				blob.update((data.length + ":").getBytes(StandardCharsets.US_ASCII));
				blob.update(data);
				blob.update((byte) ',');
			}
		}
		return PAGE_KEY + keyPrefix + '.' + method + '.' + md5(absoluteUri.getBytes(StandardCharsets.UTF_8)) + '.'
				+ HexFormat.of().formatHex(blob.digest()) + suffix;
	}

	/**
	 * Django's header list for a {@code Vary} value: {@code HTTP_} + the upper-cased name with {@code _} for
	 * {@code -}, sorted, without {@code Accept-Language} when the locale suffix is on.
	 * @param vary the response's {@code Vary} value, or {@code null}
	 * @return the header list
	 */
	public List<String> headerList(@Nullable String vary) {
		List<String> list = new ArrayList<>();
		if (vary != null) {
			for (String header : CacheHeaders.splitHeaderValue(vary)) {
				String meta = header.toUpperCase(Locale.ROOT).replace('-', '_');
				if (!meta.equals("ACCEPT_LANGUAGE") || !this.useI18n) {
					list.add("HTTP_" + meta);
				}
			}
			list.sort(null);
		}
		return list;
	}

	/**
	 * Django's {@code learn_cache_key}: store the header list (comma-separated) under the header key for {@code timeoutSeconds} and
	 * return the page key for the request's method.
	 * @param request the request
	 * @param vary the response's {@code Vary} value, or {@code null}
	 * @param timeoutSeconds how long to keep the header list
	 * @param keyPrefix the key prefix
	 * @param cache the cache
	 * @return the page key
	 */
	public String learnCacheKey(HttpServletRequest request, @Nullable String vary, long timeoutSeconds,
			String keyPrefix, CacheBackend cache) {
		return learnCacheKey(request, request.getMethod(), absoluteUri(request), suffix(), vary, timeoutSeconds,
				keyPrefix, cache);
	}

	String learnCacheKey(HttpServletRequest request, String method, String absoluteUri, String suffix,
			@Nullable String vary, long timeoutSeconds, String keyPrefix, CacheBackend cache) {
		List<String> headerList = headerList(vary);
		// Stored as one comma-separated String (Django stores the list): a String is copied and stored natively
		// by every backend, with no Java serialization.
		cache.set(headerKey(keyPrefix, absoluteUri, suffix), String.join(",", headerList),
				Timeout.seconds(timeoutSeconds));
		return pageKey(request, method, headerList, keyPrefix, absoluteUri, suffix);
	}

	/**
	 * Django's {@code get_cache_key}: the page key for {@code method}, or {@code null} when no header list was
	 * learned for the URL.
	 * @param request the request
	 * @param keyPrefix the key prefix
	 * @param method the method, usually {@code GET}
	 * @param cache the cache
	 * @return the page key or {@code null}
	 */
	public @Nullable String getCacheKey(HttpServletRequest request, String keyPrefix, String method,
			CacheBackend cache) {
		return getCacheKey(request, method, absoluteUri(request), suffix(), keyPrefix, cache);
	}

	@Nullable String getCacheKey(HttpServletRequest request, String method, String absoluteUri, String suffix,
			String keyPrefix, CacheBackend cache) {
		Object headerList = cache.get(headerKey(keyPrefix, absoluteUri, suffix));
		List<String> names = new ArrayList<>();
		if (headerList instanceof String joined) {
			names.addAll(CacheHeaders.splitHeaderValue(joined));
		}
		else if (headerList instanceof List<?> list) {
			list.forEach((name) -> names.add(String.valueOf(name)));
		}
		else {
			return null;
		}
		return pageKey(request, method, names, keyPrefix, absoluteUri, suffix);
	}

	private static String headerName(String metaName) {
		String name = metaName.startsWith("HTTP_") ? metaName.substring(5) : metaName;
		return name.replace('_', '-');
	}

	private static String md5(byte[] data) {
		return HexFormat.of().formatHex(md5().digest(data));
	}

	private static MessageDigest md5() {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is required by the Java platform", ex);
		}
	}

}
