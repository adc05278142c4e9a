package io.cacheframework.autoconfigure.actuate;

import java.util.Map;
import java.util.Objects;

import io.cacheframework.spring.DjangoCache;
import io.cacheframework.spring.DjangoCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.util.StringUtils;

/**
 * Registers with Boot's {@link CacheMetricsRegistrar} the caches that its startup-only cache metrics miss, once every
 * singleton exists: every {@link DjangoCache} created after startup (a Spring cache name first used later), and
 * caches created while the context started, with the tags Boot uses ({@code cache.manager}, {@code name},
 * {@code cache}). The meters themselves are {@code DjangoCacheMeterBinder}'s.
 */
class LateCacheMetricsRegistrar implements SmartInitializingSingleton {

	private static final String CACHE_MANAGER_SUFFIX = "cacheManager";

	private final ConfigurableListableBeanFactory beanFactory;

	private final ObjectProvider<CacheMetricsRegistrar> registrar;

	private final ObjectProvider<MeterRegistry> registry;

	/**
	 * @param beanFactory where to find the cache managers and caches
	 * @param registrar Boot's registrar, if cache metrics are on
	 * @param registry the registry the registrar binds to, to skip caches Boot already bound
	 */
	LateCacheMetricsRegistrar(ConfigurableListableBeanFactory beanFactory,
			ObjectProvider<CacheMetricsRegistrar> registrar, ObjectProvider<MeterRegistry> registry) {
		this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory must not be null");
		this.registrar = registrar;
		this.registry = registry;
	}

	@Override
	public void afterSingletonsInstantiated() {
		CacheMetricsRegistrar cacheMetricsRegistrar = this.registrar.getIfAvailable();
		if (cacheMetricsRegistrar != null) {
			Map<String, DjangoCacheManager> managers = this.beanFactory.getBeansOfType(DjangoCacheManager.class);
			managers.forEach((beanName, manager) -> bindManager(cacheMetricsRegistrar, beanName, manager));
		}
	}

	private void bindManager(CacheMetricsRegistrar cacheMetricsRegistrar, String beanName, DjangoCacheManager manager) {
		Tag managerTag = Tag.of("cache.manager", managerName(beanName));
		// Listen first, then bind what exists and Boot did not bind at startup: a cache created in between may be
		// bound twice (the registry keeps the first meters and logs a warning), rather than never.
		manager.addCacheCreationListener((cache) -> cacheMetricsRegistrar.bindCacheToRegistry(cache, managerTag));
		MeterRegistry meterRegistry = this.registry.getIfAvailable();
		for (String name : manager.getCacheNames()) {
			boolean bound = meterRegistry != null && meterRegistry.find("cache.puts")
				.tag("cache", name)
				.tag(managerTag.getKey(), managerTag.getValue())
				.meter() != null;
			DjangoCache cache = bound ? null : manager.getCache(name);
			if (cache != null) {
				cacheMetricsRegistrar.bindCacheToRegistry(cache, managerTag);
			}
		}
	}

	/**
	 * Boot's rule: the bean name without a {@code cacheManager} suffix, unless that leaves nothing.
	 */
	static String managerName(String beanName) {
		if (beanName.length() > CACHE_MANAGER_SUFFIX.length()
				&& StringUtils.endsWithIgnoreCase(beanName, CACHE_MANAGER_SUFFIX)) {
			return beanName.substring(0, beanName.length() - CACHE_MANAGER_SUFFIX.length());
		}
		return beanName;
	}

}
