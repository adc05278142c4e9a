package io.cacheframework.actuate;

import io.cacheframework.spring.DjangoCache;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Lets Spring Boot's {@code CacheMetricsRegistrar} bind {@link DjangoCache}s: Boot has providers for Caffeine,
 * JCache, Redis and a few others only.
 *
 * @since 0.1.0
 */
public class DjangoCacheMeterBinderProvider implements CacheMeterBinderProvider<DjangoCache> {

	@Override
	public MeterBinder getMeterBinder(DjangoCache cache, Iterable<Tag> tags) {
		return new DjangoCacheMeterBinder(cache, tags);
	}

}
