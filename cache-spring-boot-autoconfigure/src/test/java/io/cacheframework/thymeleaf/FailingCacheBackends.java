package io.cacheframework.thymeleaf;

import java.util.function.Supplier;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Real backends whose store fails, as during an outage: the dummy backend (it stores nothing anyway) with its read
 * and write primitives failing.
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
	public static DummyCacheBackend outage(String alias) {
		return failing(alias, () -> new CacheAccessException("connection refused"));
	}

	/**
	 * A backend that breaks its contract: reads and writes throw an unexpected exception straight through.
	 * @param alias the alias
	 * @return the backend
	 */
	public static DummyCacheBackend exploding(String alias) {
		return failing(alias, () -> new IllegalStateException("driver bug"));
	}

	private static DummyCacheBackend failing(String alias, Supplier<RuntimeException> failure) {
		return new DummyCacheBackend(CacheSettings.builder(alias).build()) {

			@Override
			protected @Nullable Object doGet(String key) {
				throw failure.get();
			}

			@Override
			protected void doSet(String key, @Nullable Object value, Timeout timeout) {
				throw failure.get();
			}

		};
	}

}
