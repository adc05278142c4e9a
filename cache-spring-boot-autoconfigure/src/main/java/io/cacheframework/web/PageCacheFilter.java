package io.cacheframework.web;

import java.io.IOException;
import java.util.Objects;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Captures the response body for the page cache (a {@code HandlerInterceptor} cannot) and holds it until the
 * whole filter chain has run, so the cache can add {@code Expires}/{@code Cache-Control}/{@code Vary} and store
 * the page. The response wrapper starts as a pass-through; only a request the interceptors found cacheable (or
 * whose handler carries a header annotation) is buffered. Bodies over the size limit, asynchronous responses,
 * errors and redirects pass straight through. Install it outside other filters (the auto-configuration orders it
 * just after Spring's request-wrapping filters).
 *
 * @since 0.1.0
 */
public class PageCacheFilter extends OncePerRequestFilter {

	private final PageCache pageCache;

	/**
	 * Create the filter.
	 * @param pageCache the page cache
	 */
	public PageCacheFilter(PageCache pageCache) {
		this.pageCache = Objects.requireNonNull(pageCache, "pageCache must not be null");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		PageCachingResponseWrapper wrapper = new PageCachingResponseWrapper(response, this.pageCache.maxBodySize(),
				"HEAD".equals(request.getMethod()));
		request.setAttribute(PageCache.WRAPPER_ATTRIBUTE, wrapper);
		chain.doFilter(request, wrapper);
		if (request.isAsyncStarted()) {
			wrapper.passThrough();
			return;
		}
		this.pageCache.afterFilterChain(request, wrapper);
		wrapper.copyBodyToResponse();
	}

}
