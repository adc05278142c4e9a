package io.cacheframework.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A view of a backend with another default version: Django's {@code version=} argument as an object. It shares
 * the backend's store, settings and statistics; closing it does nothing.
 */
final class VersionedCacheBackend implements CacheBackend {

	private final AbstractCacheBackend backend;

	private final int version;

	VersionedCacheBackend(AbstractCacheBackend backend, int version) {
		this.backend = backend;
		this.version = version;
	}

	@Override
	public String alias() {
		return this.backend.alias();
	}

	@Override
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		return this.backend.get(key, defaultValue, this.version);
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		this.backend.set(key, value, timeout, this.version);
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return this.backend.add(key, value, timeout, this.version);
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		return this.backend.getOrSet(key, supplier, timeout, this.version);
	}

	@Override
	public boolean touch(String key, Timeout timeout) {
		return this.backend.touch(key, timeout, this.version);
	}

	@Override
	public boolean delete(String key) {
		return this.backend.delete(key, this.version);
	}

	@Override
	public boolean hasKey(String key) {
		return this.backend.hasKey(key, this.version);
	}

	@Override
	public Map<String, @Nullable Object> getMany(Collection<String> keys) {
		return this.backend.getMany(keys, this.version);
	}

	@Override
	public List<String> setMany(Map<String, ?> values, Timeout timeout) {
		return this.backend.setMany(values, timeout, this.version);
	}

	@Override
	public void deleteMany(Collection<String> keys) {
		this.backend.deleteMany(keys, this.version);
	}

	@Override
	public long incr(String key, long delta) {
		return this.backend.incr(key, delta, this.version);
	}

	@Override
	public int incrVersion(String key, int delta) {
		return this.backend.incrVersion(key, delta, this.version);
	}

	@Override
	public void clear() {
		this.backend.clear();
	}

	@Override
	public CacheBackend withVersion(int version) {
		return new VersionedCacheBackend(this.backend, version);
	}

	@Override
	public AsyncCacheBackend async() {
		return new AsyncView(this.backend, this.version);
	}

	@Override
	public String makeKey(String key) {
		return this.backend.makeKey(key, this.version);
	}

	@Override
	public String backendName() {
		return this.backend.backendName();
	}

	@Override
	public CacheSettings settings() {
		return this.backend.settings();
	}

	@Override
	public CacheStatistics statistics() {
		return this.backend.statistics();
	}

	@Override
	public @Nullable CacheInspection inspection() {
		return this.backend.inspection();
	}

	@Override
	public void close() {
		// A view does not own the store.
	}

	@Override
	public String toString() {
		return this.backend + "[version=" + this.version + "]";
	}

}
