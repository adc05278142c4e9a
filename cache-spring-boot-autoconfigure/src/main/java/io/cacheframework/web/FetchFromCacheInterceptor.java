package io.cacheframework.web;

import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Django's {@code FetchFromCacheMiddleware}: looks a GET or HEAD request up in the page cache and, on a hit, writes
 * the cached page and stops the handler. Register it so its request phase runs first (right after
 * {@link UpdateCacheInterceptor}, whose response phase must run last); the auto-configuration does.
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
