package io.cacheframework.web;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The resolver the auto-configuration installs. In order: {@link CachePage @CachePage} on the handler method, then
 * on its class; then the first {@code app.cache-pages} path pattern that matches the path within the application;
 * then the site-wide settings if {@code app.cache-middleware.enabled}. A per-view setting replaces the site-wide
 * one for that request (Django would run both the decorator and the middleware; see the README).
 *
 * @since 0.1.0
 */
public class DefaultPageCacheSettingsResolver implements PageCacheSettingsResolver {

	private final @Nullable PageCacheSettings siteWide;

	private final List<PathRule> rules;

	private final long defaultSeconds;

	/**
	 * Create the resolver.
	 * @param siteWide the site-wide settings, or {@code null} when the site-wide cache is off
	 * @param rules per-view settings by path pattern, first match wins
	 * @param defaultSeconds {@code app.cache-middleware.seconds}, the cache timeout of per-view settings
	 */
	public DefaultPageCacheSettingsResolver(@Nullable PageCacheSettings siteWide, List<PathRule> rules,
			long defaultSeconds) {
		this.siteWide = siteWide;
		this.rules = List.copyOf(rules);
		this.defaultSeconds = defaultSeconds;
	}

	@Override
	public @Nullable PageCacheSettings resolve(HttpServletRequest request, Object handler) {
		if (handler instanceof HandlerMethod method) {
			CachePage page = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), CachePage.class);
			if (page == null) {
				page = AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), CachePage.class);
			}
			if (page != null) {
				return PageCacheSettings.perView(page.value(), page.cache(), page.keyPrefix(), this.defaultSeconds);
			}
		}
		if (!this.rules.isEmpty()) {
			PathContainer path = ServletRequestPathUtils.hasParsedRequestPath(request)
					? ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication()
					: ServletRequestPathUtils.parseAndCache(request).pathWithinApplication();
			for (PathRule rule : this.rules) {
				if (rule.pattern().matches(path)) {
					return rule.settings();
				}
			}
		}
		return this.siteWide;
	}

	/**
	 * Whether pages are cached without any annotation: the site-wide cache is on or a path rule exists.
	 * @return {@code false} when only {@code @CachePage} handlers can be cached
	 */
	public boolean cachesWithoutAnnotations() {
		return this.siteWide != null || !this.rules.isEmpty();
	}

	/**
	 * Per-view caching for the paths matching an MVC path pattern (Django's {@code cache_page} in the URLconf).
	 *
	 * @param pattern the parsed pattern
	 * @param settings the settings
	 */
	public record PathRule(PathPattern pattern, PageCacheSettings settings) {

		/**
		 * A rule from a pattern string such as {@code /articles/**}.
		 * @param pattern the path pattern
		 * @param settings the settings
		 * @return the rule
		 */
		public static PathRule of(String pattern, PageCacheSettings settings) {
			return new PathRule(PathPatternParser.defaultInstance.parse(pattern), settings);
		}

	}

}
