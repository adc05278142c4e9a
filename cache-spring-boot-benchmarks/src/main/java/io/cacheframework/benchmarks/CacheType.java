package io.cacheframework.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import org.springframework.cache.concurrent.ConcurrentMapCache;

/**
 * The implementations compared in one run. The constant names are the JMH {@code @Param} values (hence lower
 * case), so that {@code -p cache=locmem} selects one. Public because JMH's generated code names it.
 */
public enum CacheType {

	/**
	 * Our {@link LocMemCacheBackend} through its public API: key making ({@code ":1:" + key}), key validation,
	 * expiry (the default 300 s timeout), exact LRU stamps, statistics.
	 */
	locmem {
		@Override
		BasicCache create(int maximumSize) {
			// A location of its own per trial, so that no state leaks between trials in one fork.
			LocMemCacheBackend backend = new LocMemCacheBackend(CacheSettings.builder("bench")
				.location("bench-" + UUID.randomUUID())
				.maxEntries(maximumSize)
				.timeout(CacheSettings.DEFAULT_TIMEOUT)
				.build());
			return new BasicCache() {

				@Override
				public Object get(String key) {
					return backend.get(key);
				}

				@Override
				public void put(String key, String value) {
					backend.set(key, value);
				}

				@Override
				public Map<String, ?> getMany(List<String> keys) {
					return backend.getMany(keys);
				}

				@Override
				public void close() {
					backend.clear();
					backend.close();
				}

			};
		}
	},

	/**
	 * Caffeine bounded by size only (no expiry), the usual reference for an on-heap cache.
	 */
	caffeine {
		@Override
		BasicCache create(int maximumSize) {
			return caffeine(Caffeine.newBuilder().maximumSize(maximumSize).build());
		}
	},

	/**
	 * Caffeine bounded by size and expiring 300 s after write: the same work per read as locmem with its default
	 * timeout (a clock read on every hit), for a like-for-like comparison.
	 */
	caffeineExpiring {
		@Override
		BasicCache create(int maximumSize) {
			return caffeine(Caffeine.newBuilder()
				.maximumSize(maximumSize)
				.expireAfterWrite(CacheSettings.DEFAULT_TIMEOUT.toDuration())
				.build());
		}
	},

	/**
	 * Spring's {@link ConcurrentMapCache} (what {@code spring.cache.type=simple} gives): unbounded, no expiry,
	 * no bulk read, so {@code getMany} is a loop of {@code get}.
	 */
	concurrentMap {
		@Override
		BasicCache create(int maximumSize) {
			ConcurrentMapCache cache = new ConcurrentMapCache("bench", new ConcurrentHashMap<>(maximumSize), false);
			return new BasicCache() {

				@Override
				public Object get(String key) {
					org.springframework.cache.Cache.ValueWrapper wrapper = cache.get(key);
					return (wrapper != null) ? wrapper.get() : null;
				}

				@Override
				public void put(String key, String value) {
					cache.put(key, value);
				}

				@Override
				public Map<String, ?> getMany(List<String> keys) {
					// A map of the hits, as the other two return.
					Map<String, Object> found = new LinkedHashMap<>();
					for (String key : keys) {
						org.springframework.cache.Cache.ValueWrapper wrapper = cache.get(key);
						if (wrapper != null) {
							found.put(key, wrapper.get());
						}
					}
					return found;
				}

			};
		}
	};

	/**
	 * Create an empty cache.
	 * @param maximumSize the bound where the implementation has one
	 * @return the cache
	 */
	abstract BasicCache create(int maximumSize);

	private static BasicCache caffeine(Cache<String, String> cache) {
		return new BasicCache() {

			@Override
			public Object get(String key) {
				return cache.getIfPresent(key);
			}

			@Override
			public void put(String key, String value) {
				cache.put(key, value);
			}

			@Override
			public Map<String, ?> getMany(List<String> keys) {
				return cache.getAllPresent(keys);
			}

		};
	}

}
