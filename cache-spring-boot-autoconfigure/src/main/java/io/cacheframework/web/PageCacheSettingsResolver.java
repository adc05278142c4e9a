package io.cacheframework.web;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether, and how, a request's page is cached.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface PageCacheSettingsResolver {

	/**
	 * The settings for a request.
	 * @param request the request
	 * @param handler the MVC handler chosen for it
	 * @return the settings, or {@code null} when the page is not cached
	 */
	@Nullable PageCacheSettings resolve(HttpServletRequest request, Object handler);

}
