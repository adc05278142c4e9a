package io.cacheframework.spring;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.cacheframework.core.Caches;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} over {@link Caches}: a cache name that is a configured alias is that alias's
 * backend; any other name is a namespace inside the {@code default} backend (see {@link DjangoCache}).
 *
 * @since 0.1.0
 */
public class DjangoCacheManager implements CacheManager {

	/**
	 * The alias that holds namespaced caches.
	 */
	public static final String DEFAULT_ALIAS = "default";

	private final Caches caches;

	private final ConcurrentMap<String, DjangoCache> cacheMap = new ConcurrentHashMap<>();

	private final Set<String> names = Collections.synchronizedSet(new LinkedHashSet<>());

	/**
	 * Create a manager; every alias is available as a cache at once.
	 * @param caches the configured caches
	 */
	public DjangoCacheManager(Caches caches) {
		this.caches = Objects.requireNonNull(caches, "caches must not be null");
		for (String alias : caches.aliases()) {
			getCache(alias);
		}
	}

	@Override
	public @Nullable DjangoCache getCache(String name) {
		DjangoCache cache = this.cacheMap.get(name);
		if (cache != null) {
			return cache;
		}
		return this.cacheMap.computeIfAbsent(name, (key) -> {
			this.names.add(key);
			return createCache(key);
		});
	}

	/**
	 * Create the cache for a name.
	 * @param name the name
	 * @return an alias cache or a namespace of the default backend
	 */
	protected DjangoCache createCache(String name) {
		if (this.caches.aliases().contains(name)) {
			return new DjangoCache(name, this.caches.get(name));
		}
		return new DjangoCache(name, this.caches.get(DEFAULT_ALIAS), true);
	}

	@Override
	public Collection<String> getCacheNames() {
		synchronized (this.names) {
			return Collections.unmodifiableSet(new LinkedHashSet<>(this.names));
		}
	}

	/**
	 * The underlying caches.
	 * @return the caches
	 */
	public Caches getCaches() {
		return this.caches;
	}

}
