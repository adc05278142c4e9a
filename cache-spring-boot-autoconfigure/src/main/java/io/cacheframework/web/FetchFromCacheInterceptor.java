package io.cacheframework.web;

import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Django's {@code FetchFromCacheMiddleware}: looks a GET or HEAD request up in the page cache and, on a hit, writes
 * the cached page and stops the handler; on a miss it has {@link PageCacheFilter} buffer the response. Register it
 * after the application's own interceptors, as Django puts FetchFromCacheMiddleware last, so their access checks
 * run on hits too ({@link UpdateCacheInterceptor} first, whose response phase must run last); the
 * auto-configuration does. On a hit the handler, its method security ({@code @PreAuthorize}) and the interceptors'
 * {@code postHandle} do not run.
 *
 * @since 0.1.0
 */
public class FetchFromCacheInterceptor implements HandlerInterceptor {

	private final PageCache pageCache;

	/**
	 * Create the interceptor.
	 * @param pageCache the page cache
	 */
	public FetchFromCacheInterceptor(PageCache pageCache) {
		this.pageCache = Objects.requireNonNull(pageCache, "pageCache must not be null");
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		return this.pageCache.fetch(request, response, handler);
	}

}
