package io.cacheframework.web;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.cacheframework.core.CacheBackend;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code django.utils.cache} for servlet responses, with Django 6.1's rules: {@code patch_cache_control},
 * {@code patch_vary_headers}, {@code patch_response_headers}, {@code get_max_age}, {@code has_vary_header},
 * {@code add_never_cache_headers}, {@code learn_cache_key} and {@code get_cache_key}.
 *
 * <p>The string-level methods ({@link #patchCacheControl(String, Map)}, {@link #patchVary(String, Collection)},
 * {@link #getMaxAge(String)}) do the work; the response-level ones read and write the headers. Header values are
 * split as Django's {@code split_header_value} splits them: on commas, each item stripped, empty items dropped.
 *
 * @since 0.1.0
 */
public final class CacheHeaders {

	/**
	 * Django's {@code http_date} format (RFC 1123, GMT, two-digit day).
	 */
	static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
			Locale.US).withZone(ZoneOffset.UTC);

	private CacheHeaders() {
	}

	/**
	 * Django's {@code patch_cache_control} on a header value.
	 * <p>Existing directives come first in their order (names lower-cased, values kept raw), then new ones;
	 * {@code max-age} keeps the minimum of the old and new value; {@code public} removes an existing {@code private}
	 * and vice versa; {@code no-cache} collects field names, a bare {@code no-cache} wins. A value of
	 * {@link Boolean#TRUE} is a bare directive; any other value is written as {@code name=value} (Python's
	 * {@code str()}: {@code False} for {@link Boolean#FALSE}). Names may use {@code _} for {@code -} as in Python.
	 * @param existing the current {@code Cache-Control} value, or {@code null} if absent
	 * @param directives new directives in order
	 * @return the new header value ({@code ""} when nothing remains)
	 */
	public static String patchCacheControl(@Nullable String existing, Map<String, ?> directives) {
		Map<String, Object> cc = new LinkedHashMap<>();
		if (existing != null && !existing.isEmpty()) {
			for (String field : splitHeaderValue(existing)) {
				int eq = field.indexOf('=');
				String name = ((eq < 0) ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
				Object value = (eq < 0) ? Boolean.TRUE : field.substring(eq + 1);
				if (name.equals("no-cache")) {
					noCacheValues(cc).add(value);
				}
				else {
					cc.put(name, value);
				}
			}
		}
		Map<String, Object> kwargs = new LinkedHashMap<>();
		directives.forEach((name, value) -> kwargs.put(name.replace('_', '-').toLowerCase(Locale.ROOT), value));
		if (cc.containsKey("max-age") && kwargs.containsKey("max-age")) {
			Long old = parseInteger(String.valueOf(cc.get("max-age")));
			Object requested = kwargs.get("max-age");
			if (old != null && requested instanceof Number number) {
				kwargs.put("max-age", Math.min(old, number.longValue()));
			}
		}
		if (cc.containsKey("private") && kwargs.containsKey("public")) {
			cc.remove("private");
		}
		else if (cc.containsKey("public") && kwargs.containsKey("private")) {
			cc.remove("public");
		}
		kwargs.forEach((name, value) -> {
			if (name.equals("no-cache")) {
				noCacheValues(cc).add(value);
			}
			else {
				cc.put(name, value);
			}
		});
		List<String> out = new ArrayList<>();
		cc.forEach((name, value) -> {
			if (value instanceof NoCacheValues values) {
				if (values.contains(Boolean.TRUE)) {
					out.add(name);
				}
				else {
					values.forEach((v) -> out.add(directive(name, v)));
				}
			}
			else {
				out.add(directive(name, value));
			}
		});
		return String.join(", ", out);
	}

	/**
	 * Django's {@code patch_cache_control} on a response: see {@link #patchCacheControl(String, Map)}.
	 * @param response the response
	 * @param directives new directives in order
	 */
	public static void patchCacheControl(HttpServletResponse response, Map<String, ?> directives) {
		response.setHeader("Cache-Control", patchCacheControl(header(response, "Cache-Control"), directives));
	}

	/**
	 * Django's {@code patch_vary_headers} on a header value: keep the existing names in order, append the new ones
	 * not already present (case-insensitive, original spelling, stripped, empty ones dropped); any {@code *} gives
	 * exactly {@code *}.
	 * @param existing the current {@code Vary} value, or {@code null} if absent
	 * @param newHeaders header names to add
	 * @return the new header value
	 */
	public static String patchVary(@Nullable String existing, Collection<String> newHeaders) {
		List<String> vary = (existing != null) ? splitHeaderValue(existing) : new ArrayList<>();
		Set<String> present = new HashSet<>();
		vary.forEach((h) -> present.add(h.toLowerCase(Locale.ROOT)));
		for (String header : newHeaders) {
			String name = header.strip();
			if (!name.isEmpty() && !present.contains(name.toLowerCase(Locale.ROOT))) {
				vary.add(name);
			}
		}
		return vary.contains("*") ? "*" : String.join(", ", vary);
	}

	/**
	 * Django's {@code patch_vary_headers}: see {@link #patchVary(String, Collection)}.
	 * @param response the response
	 * @param newHeaders header names to add
	 */
	public static void patchVaryHeaders(HttpServletResponse response, String... newHeaders) {
		response.setHeader("Vary", patchVary(header(response, "Vary"), List.of(newHeaders)));
	}

	/**
	 * Django's {@code has_vary_header}: whether the response's {@code Vary} names the header (case-insensitive,
	 * stripped on both sides).
	 * @param response the response
	 * @param headerName the header name
	 * @return whether it is listed
	 */
	public static boolean hasVaryHeader(HttpServletResponse response, String headerName) {
		String vary = header(response, "Vary");
		if (vary == null) {
			return false;
		}
		String wanted = headerName.strip().toLowerCase(Locale.ROOT);
		return splitHeaderValue(vary).stream().anyMatch((h) -> h.toLowerCase(Locale.ROOT).equals(wanted));
	}

	/**
	 * Django's {@code get_max_age} on a header value: the integer {@code max-age}, the last one if repeated.
	 * @param cacheControl the {@code Cache-Control} value, or {@code null}
	 * @return the max-age, or {@code null} if absent or not an integer
	 */
	public static @Nullable Long getMaxAge(@Nullable String cacheControl) {
		if (cacheControl == null) {
			return null;
		}
		Object value = null;
		for (String field : splitHeaderValue(cacheControl)) {
			int eq = field.indexOf('=');
			String name = ((eq < 0) ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
			if (name.equals("max-age")) {
				value = (eq < 0) ? Boolean.TRUE : field.substring(eq + 1);
			}
		}
		return (value instanceof String text) ? parseInteger(text) : null;
	}

	/**
	 * Django's {@code get_max_age}.
	 * @param response the response
	 * @return the max-age, or {@code null} if absent or not an integer
	 */
	public static @Nullable Long getMaxAge(HttpServletResponse response) {
		return getMaxAge(header(response, "Cache-Control"));
	}

	/**
	 * Django's {@code patch_response_headers}: add {@code Expires} (only if absent) and {@code max-age} (the minimum
	 * with an existing one). A negative timeout counts as 0.
	 * @param response the response
	 * @param timeoutSeconds the page timeout in seconds
	 * @param clock the clock giving "now"
	 */
	public static void patchResponseHeaders(HttpServletResponse response, long timeoutSeconds, Clock clock) {
		long timeout = Math.max(0, timeoutSeconds);
		if (!response.containsHeader("Expires")) {
			response.setHeader("Expires", httpDate(clock.millis() / 1000 + timeout));
		}
		patchCacheControl(response, Map.of("max-age", timeout));
	}

	/**
	 * Django's {@code add_never_cache_headers}: {@code Expires} now (if absent) and
	 * {@code max-age=0, no-cache, no-store, must-revalidate, private}.
	 * @param response the response
	 * @param clock the clock giving "now"
	 */
	public static void addNeverCacheHeaders(HttpServletResponse response, Clock clock) {
		patchResponseHeaders(response, -1, clock);
		Map<String, Object> directives = new LinkedHashMap<>();
		directives.put("no-cache", true);
		directives.put("no-store", true);
		directives.put("must-revalidate", true);
		directives.put("private", true);
		patchCacheControl(response, directives);
	}

	/**
	 * Django's {@code learn_cache_key} with i18n and time-zone suffixes on: store the response's {@code Vary} list
	 * under the header key and return the page key for the request's method.
	 * @param request the request
	 * @param response the response
	 * @param timeoutSeconds how long to keep the header list
	 * @param keyPrefix the page-cache key prefix
	 * @param cache the cache
	 * @return the page key
	 * @see PageCacheKeys#learnCacheKey
	 */
	public static String learnCacheKey(HttpServletRequest request, HttpServletResponse response, long timeoutSeconds,
			String keyPrefix, CacheBackend cache) {
		return PageCacheKeys.DEFAULT.learnCacheKey(request, header(response, "Vary"), timeoutSeconds, keyPrefix,
				cache);
	}

	/**
	 * Django's {@code get_cache_key} with i18n and time-zone suffixes on.
	 * @param request the request
	 * @param keyPrefix the page-cache key prefix
	 * @param method the method the key is for, usually {@code GET}
	 * @param cache the cache
	 * @return the page key, or {@code null} if no header list was learned for the URL
	 * @see PageCacheKeys#getCacheKey
	 */
	public static @Nullable String getCacheKey(HttpServletRequest request, String keyPrefix, String method,
			CacheBackend cache) {
		return PageCacheKeys.DEFAULT.getCacheKey(request, keyPrefix, method, cache);
	}

	/**
	 * Django's {@code http_date}: RFC 1123 in GMT.
	 * @param epochSeconds seconds since the epoch
	 * @return the formatted date
	 */
	public static String httpDate(long epochSeconds) {
		return HTTP_DATE.format(Instant.ofEpochSecond(epochSeconds));
	}

	/**
	 * Django's {@code parse_http_date_safe} for RFC 1123 dates.
	 * @param value the header value, or {@code null}
	 * @return seconds since the epoch, or {@code null} if it does not parse
	 */
	public static @Nullable Long parseHttpDate(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * Django's {@code split_header_value}: split on commas, strip each item, drop empty ones.
	 * @param value the header value
	 * @return the items
	 */
	public static List<String> splitHeaderValue(String value) {
		List<String> items = new ArrayList<>();
		for (String item : value.split(",")) {
			String stripped = item.strip();
			if (!stripped.isEmpty()) {
				items.add(stripped);
			}
		}
		return items;
	}

	/**
	 * The lower-cased directive names of a {@code Cache-Control} value (values after {@code =} dropped).
	 * @param cacheControl the header value, or {@code null}
	 * @return the names
	 */
	static Set<String> directiveNames(@Nullable String cacheControl) {
		Set<String> names = new HashSet<>();
		if (cacheControl != null) {
			for (String field : splitHeaderValue(cacheControl)) {
				int eq = field.indexOf('=');
				names.add(((eq < 0) ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT));
			}
		}
		return names;
	}

	/**
	 * All values of a header joined with {@code ", "} (several header lines count as one list).
	 * @param response the response
	 * @param name the header name
	 * @return the value, or {@code null} if absent
	 */
	static @Nullable String header(HttpServletResponse response, String name) {
		Collection<String> values = response.getHeaders(name);
		if (values == null || values.isEmpty()) {
			return response.getHeader(name);
		}
		return (values.size() == 1) ? values.iterator().next() : String.join(", ", values);
	}

	/**
	 * All values of a request header joined with {@code ","}, as WSGI servers fold repeated headers into
	 * {@code META}.
	 * @param request the request
	 * @param name the header name
	 * @return the value, or {@code null} if absent
	 */
	static @Nullable String header(HttpServletRequest request, String name) {
		Enumeration<String> values = request.getHeaders(name);
		if (values == null || !values.hasMoreElements()) {
			return null;
		}
		String first = values.nextElement();
		if (!values.hasMoreElements()) {
			return first;
		}
		StringBuilder joined = new StringBuilder(first);
		while (values.hasMoreElements()) {
			joined.append(',').append(values.nextElement());
		}
		return joined.toString();
	}

	static @Nullable Long parseInteger(String text) {
		String value = text.strip();
		if (!value.matches("[+-]?\\d{1,18}")) {
			return null;
		}
		return Long.parseLong(value);
	}

	private static String directive(String name, Object value) {
		if (Boolean.TRUE.equals(value)) {
			return name;
		}
		String text = (value instanceof Boolean bool) ? (bool ? "True" : "False") : String.valueOf(value);
		return name + "=" + text;
	}

	private static NoCacheValues noCacheValues(Map<String, Object> cc) {
		Object current = cc.get("no-cache");
		if (current instanceof NoCacheValues values) {
			return values;
		}
		NoCacheValues values = new NoCacheValues();
		cc.put("no-cache", values);
		return values;
	}

	/**
	 * Django keeps {@code no-cache} as a set of field names.
	 */
	private static final class NoCacheValues extends LinkedHashSet<Object> {

		private static final long serialVersionUID = 1L;

	}

}
