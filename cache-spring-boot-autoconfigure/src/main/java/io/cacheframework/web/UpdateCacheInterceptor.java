package io.cacheframework.web;

import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.AsyncHandlerInterceptor;

/**
 * Django's {@code UpdateCacheMiddleware}: after the handler and view ran, tells the page cache that the response is
 * complete; {@link PageCacheFilter} then stores a cacheable page once the whole filter chain has finished, so headers
 * added by filters inside it (Spring Security's {@code Cache-Control: no-cache, no-store}, for example) are
 * honoured. It needs that filter (the auto-configuration installs both): an interceptor cannot capture a response
 * body, so without the filter nothing is stored. Register it first so its response phase runs last. A response
 * that went asynchronous (streaming, server-sent events, deferred results) is never stored.
 *
 * @since 0.1.0
 */
public class UpdateCacheInterceptor implements AsyncHandlerInterceptor {

	private final PageCache pageCache;

	/**
	 * Create the interceptor.
	 * @param pageCache the page cache
	 */
	public UpdateCacheInterceptor(PageCache pageCache) {
		this.pageCache = Objects.requireNonNull(pageCache, "pageCache must not be null");
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			@Nullable Exception ex) {
		this.pageCache.afterCompletion(request, response, handler, ex);
	}

	@Override
	public void afterConcurrentHandlingStarted(HttpServletRequest request, HttpServletResponse response,
			Object handler) {
		this.pageCache.asyncStarted(request);
	}

}
