package io.cacheframework.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A blocking {@link CacheBackend} that does everything through another backend's {@link CacheBackend#async()} view
 * and joins each future, rethrowing the cause of a failed one: the contract test run through the asynchronous API.
 * Only the operators' methods and {@code withVersion} go to the backend itself.
 */
public final class AsyncJoiningCacheBackend implements CacheBackend {

	private final CacheBackend backend;

	private final AsyncCacheBackend async;

	/**
	 * Wrap a backend.
	 * @param backend the backend whose asynchronous view is used
	 */
	public AsyncJoiningCacheBackend(CacheBackend backend) {
		this.backend = backend;
		this.async = backend.async();
	}

	static <T> T join(CompletableFuture<T> future) {
		try {
			return future.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw ex;
		}
	}

	@Override
	public String alias() {
		return this.async.alias();
	}

	@Override
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		return join(this.async.getOrDefault(key, defaultValue));
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		join(this.async.set(key, value, timeout));
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return join(this.async.add(key, value, timeout));
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		return join(this.async.getOrSet(key, () -> CompletableFuture.completedFuture(supplier.get()), timeout));
	}

	@Override
	public boolean touch(String key, Timeout timeout) {
		return join(this.async.touch(key, timeout));
	}

	@Override
	public boolean delete(String key) {
		return join(this.async.delete(key));
	}

	@Override
	public boolean hasKey(String key) {
		return join(this.async.hasKey(key));
	}

	@Override
	public Map<String, @Nullable Object> getMany(Collection<String> keys) {
		return join(this.async.getMany(keys));
	}

	@Override
	public List<String> setMany(Map<String, ?> values, Timeout timeout) {
		return join(this.async.setMany(values, timeout));
	}

	@Override
	public void deleteMany(Collection<String> keys) {
		join(this.async.deleteMany(keys));
	}

	@Override
	public long incr(String key, long delta) {
		return join(this.async.incr(key, delta));
	}

	@Override
	public int incrVersion(String key, int delta) {
		return join(this.async.incrVersion(key, delta));
	}

	@Override
	public void clear() {
		join(this.async.clear());
	}

	@Override
	public CacheBackend withVersion(int version) {
		return new AsyncJoiningCacheBackend(this.backend.withVersion(version));
	}

	@Override
	public String makeKey(String key) {
		return this.backend.makeKey(key);
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
	public void close() {
		this.backend.close();
	}

}
