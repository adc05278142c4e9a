package io.cacheframework.spring;

import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.LogRateLimiter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheErrorHandler;

/**
 * A {@link CacheErrorHandler} that turns cache failures into misses: a failed read runs the method, a failed write
 * or eviction is skipped. Each failure is counted (in the backend's statistics, and in a namespaced
 * {@link DjangoCache}'s own statistics too) and logged at WARN through a {@link LogRateLimiter}: the first at once,
 * then at most one line every ten seconds, saying how many failures it left out. Spring's default handler rethrows,
 * which turns a cache outage into an error for the caller.
 *
 * @since 0.1.0
 */
public class CacheFailureHandler implements CacheErrorHandler {

	private static final Log logger = LogFactory.getLog(CacheFailureHandler.class);

	private final LongAdder failures = new LongAdder();

	private final LogRateLimiter log = new LogRateLimiter();

	private final Clock clock;

	/**
	 * Create a handler.
	 */
	public CacheFailureHandler() {
		this(Clock.systemUTC());
	}

	/**
	 * Create a handler whose log interval runs on a given clock (for tests).
	 */
	CacheFailureHandler(Clock clock) {
		this.clock = clock;
	}

	@Override
	public void handleCacheGetError(RuntimeException exception, Cache cache, Object key) {
		failed("get", exception, cache, key);
	}

	@Override
	public void handleCachePutError(RuntimeException exception, Cache cache, Object key, @Nullable Object value) {
		failed("put", exception, cache, key);
	}

	@Override
	public void handleCacheEvictError(RuntimeException exception, Cache cache, Object key) {
		failed("evict", exception, cache, key);
	}

	@Override
	public void handleCacheClearError(RuntimeException exception, Cache cache) {
		failed("clear", exception, cache, null);
	}

	/**
	 * How many cache operations failed.
	 * @return the count
	 */
	public long getFailureCount() {
		return this.failures.sum();
	}

	private void failed(String operation, RuntimeException exception, Cache cache, @Nullable Object key) {
		this.failures.increment();
		if (cache.getNativeCache() instanceof CacheBackend backend) {
			backend.statistics().recordError();
		}
		if (cache instanceof DjangoCache djangoCache && djangoCache.isNamespaced()) {
			djangoCache.statistics().recordError();
		}
		long suppressed = this.log.record(this.clock.millis());
		if (suppressed >= 0) {
			logger.warn("Cache '" + cache.getName() + "' " + operation + ((key != null) ? " of key '" + key + "'" : "")
					+ " failed; continuing without the cache"
					+ LogRateLimiter.suppressedNote(suppressed) + ": " + exception,
					exception);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Cache '" + cache.getName() + "' " + operation + " failed", exception);
		}
	}

}
