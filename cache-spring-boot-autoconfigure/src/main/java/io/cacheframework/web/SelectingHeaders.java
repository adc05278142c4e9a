package io.cacheframework.web;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpEntity;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.ParameterizableViewController;
import org.springframework.web.servlet.mvc.condition.NameValueExpression;
import org.springframework.web.servlet.mvc.condition.RequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.servlet.resource.ResourceHttpRequestHandler;

/**
 * The request headers that chose a page's handler or its representation although the response does not name them
 * in {@code Vary}: Spring MVC's content negotiation reads {@code Accept} (a {@code produces} condition, or several
 * message converters for the body) and a {@code headers} condition reads its header, and neither adds
 * {@code Vary}. The page cache adds these names to the response's {@code Vary}, so, as with every Vary'd header in
 * Django, they become part of the page key and a JSON page is never served to a client that asked for HTML.
 *
 * <p>For a handler method the candidates are every request mapping whose path, method and query parameters match
 * the request (the ones Spring chose among by headers): {@code Accept} when one of them has a {@code produces}
 * condition, each header of a {@code headers} condition, {@code Content-Type} for a {@code consumes} condition, and
 * {@code Accept} when more than one message converter format can write the method's body type (JSON and XML,
 * say). A mapping with an API version ({@code version = ...}) gives {@code *}: the version may come from any header,
 * so such pages are not stored. Static resources ({@link ResourceHttpRequestHandler}) and view controllers select
 * nothing by header. Any other handler (functional endpoints, custom handlers) may negotiate on anything, so it
 * gets {@code Accept}.
 *
 * <p>Not seen: a {@code ContentNegotiatingViewResolver} choosing among several views for one view name, and a
 * handler that reads a header itself; declare those with {@link VaryOnHeaders @VaryOnHeaders}.
 *
 * @since 0.1.0
 */
public final class SelectingHeaders {

	private static final List<String> ACCEPT = List.of("Accept");

	private final Supplier<? extends Collection<? extends RequestMappingInfoHandlerMapping>> mappings;

	private final Supplier<? extends List<? extends HttpMessageConverter<?>>> converters;

	private final Map<Method, Boolean> severalFormats = new ConcurrentHashMap<>();

	private SelectingHeaders(Supplier<? extends Collection<? extends RequestMappingInfoHandlerMapping>> mappings,
			Supplier<? extends List<? extends HttpMessageConverter<?>>> converters) {
		this.mappings = mappings;
		this.converters = converters;
	}

	/**
	 * Only the handler method's own {@code @RequestMapping} ({@code produces}, {@code headers}, {@code consumes});
	 * for a page cache built by hand, without the application's handler mappings.
	 * @return the headers
	 */
	public static SelectingHeaders fromAnnotations() {
		return new SelectingHeaders(List::of, List::of);
	}

	/**
	 * Every request mapping of the application and its message converters (what the auto-configuration uses).
	 * @param mappings the request-mapping handler mappings, asked on each use (so they may be created later)
	 * @param converters the message converters that write {@code @ResponseBody} values, asked on each use
	 * @return the headers
	 */
	public static SelectingHeaders of(
			Supplier<? extends Collection<? extends RequestMappingInfoHandlerMapping>> mappings,
			Supplier<? extends List<? extends HttpMessageConverter<?>>> converters) {
		return new SelectingHeaders(mappings, converters);
	}

	/**
	 * The header names for one request, asked while the DispatcherServlet still holds its parsed request path.
	 * @param request the request
	 * @param handler the handler that produced the page
	 * @return header names for {@code Vary}, possibly {@code *}; empty when nothing but the URL chose the page
	 */
	public Collection<String> headers(HttpServletRequest request, Object handler) {
		if (handler instanceof HandlerMethod method) {
			Set<String> headers = new LinkedHashSet<>();
			Collection<? extends RequestMappingInfoHandlerMapping> mappings = this.mappings.get();
			if (mappings.isEmpty()) {
				fromAnnotation(method, headers);
			}
			else {
				for (RequestMappingInfoHandlerMapping mapping : mappings) {
					for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
						if (sameUrl(info, request)) {
							collect(info, headers);
						}
					}
				}
			}
			if (!headers.contains("Accept") && this.severalFormats.computeIfAbsent(method.getMethod(),
					(key) -> writesSeveralFormats(method, this.converters.get()))) {
				headers.add("Accept");
			}
			return headers;
		}
		if (handler instanceof ResourceHttpRequestHandler || handler instanceof ParameterizableViewController) {
			return List.of();
		}
		return ACCEPT;
	}

	/**
	 * Whether a mapping is one Spring chose among for this URL: its path, method and query parameters match; only
	 * its header-based conditions may differ.
	 */
	private static boolean sameUrl(RequestMappingInfo info, HttpServletRequest request) {
		RequestCondition<?> path = info.getActivePatternsCondition();
		return info.getMethodsCondition().getMatchingCondition(request) != null
				&& info.getParamsCondition().getMatchingCondition(request) != null
				&& path.getMatchingCondition(request) != null;
	}

	private static void collect(RequestMappingInfo info, Set<String> headers) {
		if (!info.getProducesCondition().isEmpty()) {
			headers.add("Accept");
		}
		if (!info.getConsumesCondition().isEmpty()) {
			headers.add("Content-Type");
		}
		for (NameValueExpression<String> expression : info.getHeadersCondition().getExpressions()) {
			headers.add(expression.getName());
		}
		if (info.getVersionCondition().getVersion() != null) {
			headers.add("*");
		}
	}

	private static void fromAnnotation(HandlerMethod method, Set<String> headers) {
		for (RequestMapping mapping : new RequestMapping[] {
				AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), RequestMapping.class),
				AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), RequestMapping.class) }) {
			if (mapping == null) {
				continue;
			}
			if (mapping.produces().length > 0) {
				headers.add("Accept");
			}
			if (mapping.consumes().length > 0) {
				headers.add("Content-Type");
			}
			for (String expression : mapping.headers()) {
				String name = expression.split("=", 2)[0].replace("!", "").strip();
				headers.add(name.equalsIgnoreCase("Accept") ? "Accept" : name);
			}
			if (!mapping.version().isEmpty()) {
				headers.add("*");
			}
		}
	}

	/**
	 * Whether the {@code @ResponseBody} value may be written in more than one format, depending on
	 * {@code Accept}: the first converter that can write the type is not an any-type one (as the String converter
	 * is, which always wins), and the converters that can write it name more than one concrete media type.
	 */
	static boolean writesSeveralFormats(HandlerMethod method, List<? extends HttpMessageConverter<?>> converters) {
		Class<?> bodyType = bodyType(method);
		if (bodyType == null) {
			return false;
		}
		Set<String> formats = new TreeSet<>();
		boolean first = true;
		for (HttpMessageConverter<?> converter : converters) {
			if (!converter.canWrite(bodyType, null)) {
				continue;
			}
			List<MediaType> types = converter.getSupportedMediaTypes(bodyType);
			if (first && types.stream().anyMatch(MediaType::isWildcardType)) {
				return false;
			}
			first = false;
			for (MediaType type : types) {
				if (!type.isWildcardType() && !type.isWildcardSubtype()) {
					formats.add(type.getType() + "/" + type.getSubtype());
				}
			}
		}
		return formats.size() > 1;
	}

	private static @Nullable Class<?> bodyType(HandlerMethod method) {
		MethodParameter returnType = method.getReturnType();
		Class<?> type = returnType.getParameterType();
		if (HttpEntity.class.isAssignableFrom(type)) {
			return ResolvableType.forMethodParameter(returnType)
				.as(HttpEntity.class)
				.getGeneric()
				.resolve(Object.class);
		}
		if (type == void.class || (!method.hasMethodAnnotation(ResponseBody.class)
				&& !AnnotatedElementUtils.hasAnnotation(method.getBeanType(), ResponseBody.class))) {
			return null;
		}
		return type;
	}

}
