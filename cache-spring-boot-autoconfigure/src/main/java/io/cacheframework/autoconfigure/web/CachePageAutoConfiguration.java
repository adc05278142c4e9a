package io.cacheframework.autoconfigure.web;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;

import io.cacheframework.autoconfigure.InvalidCacheConfigurationException;
import io.cacheframework.core.Caches;
import io.cacheframework.web.CacheHeadersInterceptor;
import io.cacheframework.web.DefaultPageCacheSettingsResolver;
import io.cacheframework.web.DefaultPageCacheSettingsResolver.PathRule;
import io.cacheframework.web.FetchFromCacheInterceptor;
import io.cacheframework.web.PageCache;
import io.cacheframework.web.PageCacheFilter;
import io.cacheframework.web.PageCacheKeys;
import io.cacheframework.web.PageCacheRecorder;
import io.cacheframework.web.PageCacheSettings;
import io.cacheframework.web.PageCacheSettingsResolver;
import io.cacheframework.web.SelectingHeaders;
import io.cacheframework.web.UpdateCacheInterceptor;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Page caching for Spring MVC: the site-wide interceptor pair ({@code app.cache-middleware.*}), per-view caching
 * ({@code @CachePage}, {@code app.cache-pages}), the header annotations and the response-capturing filter.
 *
 * <p>Order: the filter runs just after Spring's own request-wrapping filters and outside Spring Security, so the
 * page is stored after every filter wrote its headers; it buffers only responses the interceptors arm (a cacheable
 * miss, a handler with a header annotation), and it is not registered at all when no page caching or header
 * annotation can apply. Interceptors: {@link UpdateCacheInterceptor} first (its response phase runs last), then the
 * application's own interceptors, then {@link FetchFromCacheInterceptor} (its request phase runs last, as Django's
 * FetchFromCacheMiddleware, so the application's access checks run on hits too), then
 * {@link CacheHeadersInterceptor} (the header annotations, not applied to pages served from the cache).
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration")
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@EnableConfigurationProperties(CachePageProperties.class)
public class CachePageAutoConfiguration {

	/**
	 * Order of the page-cache filter: outside Spring Security (-100) and inside the request-wrapping filters
	 * (character encoding, forwarded headers).
	 */
	public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	/**
	 * Interceptor order of {@link FetchFromCacheInterceptor} and {@link CacheHeadersInterceptor}: after the
	 * application's interceptors (order 0 by default).
	 */
	public static final int FETCH_INTERCEPTOR_ORDER = Ordered.LOWEST_PRECEDENCE;

	@Bean
	@ConditionalOnMissingBean
	PageCacheSettingsResolver pageCacheSettingsResolver(CachePageProperties properties,
			ObjectProvider<Caches> caches) {
		CachePageProperties.CacheMiddleware middleware = properties.getCacheMiddleware();
		Caches configured = caches.getIfAvailable();
		checkSeconds(middleware.getSeconds(), "app.cache-middleware.seconds");
		if (middleware.isEnabled()) {
			checkAlias(configured, middleware.getAlias(), "app.cache-middleware.alias");
		}
		PageCacheSettings siteWide = middleware.isEnabled()
				? PageCacheSettings.siteWide(middleware.getAlias(), middleware.getKeyPrefix(), middleware.getSeconds())
				: null;
		List<PathRule> rules = new ArrayList<>();
		List<CachePageProperties.CachePageEntry> entries = properties.getCachePages();
		for (int i = 0; i < entries.size(); i++) {
			CachePageProperties.CachePageEntry entry = entries.get(i);
			String property = "app.cache-pages[" + i + "].path";
			if (entry.getPath() == null || entry.getPath().isBlank()) {
				throw new InvalidCacheConfigurationException(property, "a path pattern is required");
			}
			checkSeconds(entry.getTimeout(), "app.cache-pages[" + i + "].timeout");
			String alias = (entry.getCache() == null || entry.getCache().isEmpty()) ? "default" : entry.getCache();
			checkAlias(configured, alias, "app.cache-pages[" + i + "].cache");
			try {
				rules.add(PathRule.of(entry.getPath(), PageCacheSettings.perView(entry.getTimeout(), entry.getCache(),
						entry.getKeyPrefix(), middleware.getSeconds())));
			}
			catch (PatternParseException ex) {
				throw new InvalidCacheConfigurationException(property,
						"'" + entry.getPath() + "' is not an MVC path pattern: " + ex.getMessage());
			}
		}
		return new DefaultPageCacheSettingsResolver(siteWide, rules, middleware.getSeconds());
	}

	/**
	 * Django accepts a negative page timeout and then stores nothing while telling browsers {@code max-age=-N}: a
	 * mistake that only shows as a page cache that never hits. Fail at startup instead, naming the property.
	 */
	private static void checkSeconds(long seconds, String property) {
		if (seconds < 0) {
			throw new InvalidCacheConfigurationException(property, "must not be negative, was " + seconds
					+ " (0 turns page caching off for these pages; there is no 'never expires' for pages)");
		}
	}

	/**
	 * Django raises InvalidCacheBackendError for an unknown alias; fail at startup, naming the property.
	 */
	private static void checkAlias(Caches caches, String alias, String property) {
		if (caches != null && !caches.aliases().contains(alias)) {
			throw new InvalidCacheConfigurationException(property,
					"the cache alias '" + alias + "' is not configured under app.caches; configured aliases: "
							+ caches.aliases());
		}
	}

	@Bean
	@ConditionalOnMissingBean
	PageCache pageCache(ObjectProvider<Caches> caches, PageCacheSettingsResolver resolver,
			CachePageProperties properties, ObjectProvider<PageCacheRecorder> recorder,
			ObjectProvider<RequestMappingInfoHandlerMapping> mappings,
			ObjectProvider<RequestMappingHandlerAdapter> adapters) {
		CachePageProperties.CacheMiddleware middleware = properties.getCacheMiddleware();
		// Resolved on first use and then kept: the lookup stays off the request path.
		Supplier<List<RequestMappingInfoHandlerMapping>> handlerMappings = SingletonSupplier
			.of(() -> mappings.orderedStream().toList());
		Supplier<List<HttpMessageConverter<?>>> converters = SingletonSupplier.of(() -> adapters.orderedStream()
			.findFirst()
			.<List<HttpMessageConverter<?>>>map(RequestMappingHandlerAdapter::getMessageConverters)
			.orElse(List.of()));
		return PageCache.builder(SingletonSupplier.of(caches::getObject), resolver)
			.keys(new PageCacheKeys(middleware.isUseI18n(), middleware.isUseTz()))
			.maxBodySize(middleware.getMaxSize().toBytes())
			.allowedHosts(middleware.getAllowedHosts())
			.recorder(recorder.getIfAvailable(() -> PageCacheRecorder.NONE))
			.selectingHeaders(SelectingHeaders.of(handlerMappings, converters))
			.build();
	}

	/**
	 * The filter, registered with the servlet container only when page caching or a header annotation can apply:
	 * the site-wide cache, an {@code app.cache-pages} entry, a resolver of the application's own, or a controller
	 * that uses {@code @CachePage} or a header annotation. Without it every response passes untouched.
	 */
	@Bean
	FilterRegistrationBean<PageCacheFilter> pageCacheFilter(PageCache pageCache, PageCacheSettingsResolver resolver,
			ConfigurableListableBeanFactory beanFactory) {
		FilterRegistrationBean<PageCacheFilter> registration = new FilterRegistrationBean<>(
				new PageCacheFilter(pageCache));
		registration.setOrder(FILTER_ORDER);
		registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
		registration.setEnabled(!(resolver instanceof DefaultPageCacheSettingsResolver defaults)
				|| defaults.cachesWithoutAnnotations() || PageCacheAnnotations.usedByAController(beanFactory));
		return registration;
	}

	@Bean
	WebMvcConfigurer pageCacheWebMvcConfigurer(PageCache pageCache) {
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(new UpdateCacheInterceptor(pageCache)).order(Ordered.HIGHEST_PRECEDENCE);
				// Same order, added in this sequence: the sort is stable, so Fetch runs before CacheHeaders.
				registry.addInterceptor(new FetchFromCacheInterceptor(pageCache)).order(FETCH_INTERCEPTOR_ORDER);
				registry.addInterceptor(new CacheHeadersInterceptor(pageCache.clock())).order(FETCH_INTERCEPTOR_ORDER);
			}

		};
	}

}
