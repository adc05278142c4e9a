package io.cacheframework.thymeleaf;

import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Real local-memory backends whose store fails, as during an outage.
 */
public final class FailingCacheBackends {

	private FailingCacheBackends() {
	}

	/**
	 * A backend whose store is down: every read and write fails the way a backend reports an outage
	 * ({@link CacheAccessException}), which the base class turns into a miss and a failed write.
	 * @param alias the alias
	 * @return the backend
	 */
	public static LocMemCacheBackend outage(String alias) {
		return new LocMemCacheBackend(CacheSettings.builder(alias).location(alias + "-outage").build()) {

			@Override
			protected @Nullable Object doGet(String key) {
				throw new CacheAccessException("connection refused");
			}

			@Override
			protected void doSet(String key, @Nullable Object value, Timeout timeout) {
				throw new CacheAccessException("connection refused");
			}

		};
	}

	/**
	 * A backend that breaks its contract: reads and writes throw an unexpected exception straight through.
	 * @param alias the alias
	 * @return the backend
	 */
	public static LocMemCacheBackend exploding(String alias) {
		return new LocMemCacheBackend(CacheSettings.builder(alias).location(alias + "-exploding").build()) {

			@Override
			protected @Nullable Object doGet(String key) {
				throw new IllegalStateException("driver bug");
			}

			@Override
			protected void doSet(String key, @Nullable Object value, Timeout timeout) {
				throw new IllegalStateException("driver bug");
			}

		};
	}

}
