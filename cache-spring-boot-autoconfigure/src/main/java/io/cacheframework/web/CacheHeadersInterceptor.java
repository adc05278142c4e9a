package io.cacheframework.web;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Applies {@link VaryOnHeaders}, {@link VaryOnCookie}, {@link CacheControl} and {@link NeverCache} (method first,
 * else class) after the handler and its view ran, as Django's view decorators patch the returned response. It
 * needs the buffered response of {@link PageCacheFilter} (headers cannot change once a body is committed), so its
 * request phase asks the filter to buffer such a handler's response; it is registered after
 * {@link FetchFromCacheInterceptor}, so a page served from the cache is not patched again.
 *
 * @since 0.1.0
 */
public class CacheHeadersInterceptor implements HandlerInterceptor {

	/**
	 * The annotations this interceptor applies.
	 */
	static final List<Class<? extends Annotation>> HEADER_ANNOTATIONS = List.of(VaryOnHeaders.class,
			VaryOnCookie.class, CacheControl.class, NeverCache.class);

	private final Clock clock;

	/**
	 * Create the interceptor.
	 * @param clock the clock for {@code Expires}
	 */
	public CacheHeadersInterceptor(Clock clock) {
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
	}

	/**
	 * A handler that carries a header annotation needs its response buffered, so the headers can still change
	 * after the body was written; other uncached responses pass through unbuffered.
	 */
	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (handler instanceof HandlerMethod method && request.getDispatcherType() == DispatcherType.REQUEST
				&& hasHeaderAnnotation(method)) {
			PageCache.armBuffer(request);
		}
		return true;
	}

	/**
	 * Whether a handler method, or its class, carries one of the header annotations.
	 * @param method the handler method
	 * @return whether {@link #afterCompletion} will patch its headers
	 */
	static boolean hasHeaderAnnotation(HandlerMethod method) {
		for (Class<? extends Annotation> type : HEADER_ANNOTATIONS) {
			if (find(method, type) != null) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			@Nullable Exception ex) {
		if (ex != null || !(handler instanceof HandlerMethod method) || response.isCommitted()
				|| request.getDispatcherType() != DispatcherType.REQUEST || request.isAsyncStarted()) {
			return;
		}
		VaryOnHeaders vary = find(method, VaryOnHeaders.class);
		if (vary != null) {
			CacheHeaders.patchVaryHeaders(response, vary.value());
		}
		if (find(method, VaryOnCookie.class) != null) {
			CacheHeaders.patchVaryHeaders(response, "Cookie");
		}
		CacheControl control = find(method, CacheControl.class);
		if (control != null) {
			CacheHeaders.patchCacheControl(response, directives(control));
		}
		if (find(method, NeverCache.class) != null) {
			CacheHeaders.addNeverCacheHeaders(response, this.clock);
		}
	}

	/**
	 * The {@code patch_cache_control} keyword arguments an annotation stands for.
	 * @param control the annotation
	 * @return the directives in Django's keyword order
	 */
	static Map<String, Object> directives(CacheControl control) {
		Map<String, Object> directives = new LinkedHashMap<>();
		if (control.maxAge() >= 0) {
			directives.put("max-age", control.maxAge());
		}
		if (control.sMaxAge() >= 0) {
			directives.put("s-maxage", control.sMaxAge());
		}
		flag(directives, "public", control.cachePublic());
		flag(directives, "private", control.cachePrivate());
		flag(directives, "no-cache", control.noCache());
		flag(directives, "no-store", control.noStore());
		flag(directives, "no-transform", control.noTransform());
		flag(directives, "must-revalidate", control.mustRevalidate());
		flag(directives, "proxy-revalidate", control.proxyRevalidate());
		return directives;
	}

	private static void flag(Map<String, Object> directives, String name, boolean on) {
		if (on) {
			directives.put(name, true);
		}
	}

	private static <A extends Annotation> @Nullable A find(HandlerMethod method, Class<A> type) {
		A found = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), type);
		return (found != null) ? found : AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), type);
	}

}
