package io.cacheframework.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link Caches} over a fixed map of backends; closing it closes them all.
 *
 * @since 0.1.0
 */
public final class DefaultCaches implements Caches, AutoCloseable {

	private final Map<String, CacheBackend> backends;

	/**
	 * Create the registry.
	 * @param backends backends by alias, in configuration order
	 */
	public DefaultCaches(Map<String, ? extends CacheBackend> backends) {
		this.backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
	}

	@Override
	public CacheBackend get(String alias) {
		CacheBackend backend = this.backends.get(alias);
		if (backend == null) {
			throw new IllegalArgumentException(
					"The cache alias '" + alias + "' is not configured; configured aliases: " + this.backends.keySet());
		}
		return backend;
	}

	@Override
	public Set<String> aliases() {
		return this.backends.keySet();
	}

	/**
	 * Close every backend, continuing past failures.
	 */
	@Override
	public void close() {
		RuntimeException failure = null;
		for (CacheBackend backend : this.backends.values()) {
			try {
				backend.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	@Override
	public String toString() {
		return "DefaultCaches" + this.backends.keySet();
	}

}
