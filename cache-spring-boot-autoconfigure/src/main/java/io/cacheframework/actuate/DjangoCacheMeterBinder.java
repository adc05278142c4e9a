package io.cacheframework.actuate;

import java.util.function.ToLongFunction;

import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheStatistics;
import io.cacheframework.spring.DjangoCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer's standard cache meters ({@code cache.gets{result=hit|miss}}, {@code cache.puts},
 * {@code cache.evictions}, {@code cache.size}) for a {@link DjangoCache}, plus {@code cache.removals} (keys deleted)
 * and {@code cache.errors} (failed store accesses, treated as misses or skipped writes). Every count comes from the
 * cache's {@link DjangoCache#statistics() statistics}.
 *
 * <p>A cache named like an alias reports its backend's statistics, so low-level API calls
 * ({@code caches.get("default").get(..)}) count as well as {@code @Cacheable}; evictions are the entries the backend
 * culled; the size is the store's entry count where the backend can count it ({@link CacheInspection}).
 *
 * <p>A namespaced cache (any other name, inside the default backend) reports its own statistics: lookups and puts
 * through that name, and keys removed by {@code @CacheEvict} as its removals and its evictions; it has no size of
 * its own.
 *
 * @since 0.1.0
 */
public class DjangoCacheMeterBinder extends CacheMeterBinder<DjangoCache> {

	private volatile long lastSize;

	/**
	 * Create a binder.
	 * @param cache the cache
	 * @param tags tags for every meter (the cache name is added as {@code cache})
	 */
	public DjangoCacheMeterBinder(DjangoCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
	}

	@Override
	protected @Nullable Long size() {
		DjangoCache cache = getCache();
		CacheInspection inspection = (cache != null && !cache.isNamespaced()) ? cache.getNativeCache().inspection()
				: null;
		if (inspection == null) {
			return null;
		}
		try {
			Long size = inspection.entryCount();
			if (size != null) {
				this.lastSize = size;
			}
			return size;
		}
		catch (RuntimeException ex) {
			// The store is unreachable (or, at startup, its table not created yet): not "cannot count". Returning
			// null here would leave the gauge unregistered for good when this happens while it is bound.
			return this.lastSize;
		}
	}

	@Override
	protected long hitCount() {
		return count(getCache(), CacheStatistics::hits);
	}

	@Override
	protected Long missCount() {
		return count(getCache(), CacheStatistics::misses);
	}

	@Override
	protected Long evictionCount() {
		return count(getCache(), CacheStatistics::evictions);
	}

	@Override
	protected long putCount() {
		return count(getCache(), CacheStatistics::sets);
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		DjangoCache cache = getCache();
		if (cache == null) {
			return;
		}
		FunctionCounter.builder("cache.removals", cache, (c) -> count(c, CacheStatistics::deletes))
			.tags(getTagsWithCacheName())
			.description("Keys deleted from the cache")
			.register(registry);
		FunctionCounter.builder("cache.errors", cache, (c) -> count(c, CacheStatistics::errors))
			.tags(getTagsWithCacheName())
			.description("Failed store accesses, each treated as a miss or a skipped write")
			.register(registry);
	}

	/**
	 * A count from the cache's statistics, 0 once the cache is gone.
	 */
	private static long count(@Nullable DjangoCache cache, ToLongFunction<CacheStatistics> count) {
		return (cache != null) ? count.applyAsLong(cache.statistics()) : 0;
	}

}
