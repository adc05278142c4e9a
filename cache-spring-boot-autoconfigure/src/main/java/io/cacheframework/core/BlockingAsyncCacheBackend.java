package io.cacheframework.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The asynchronous API of a backend that has none of its own: each blocking call runs on the bounded executor. A
 * call the executor refuses is a miss or a failed write, as an outage is; the caller's mistakes fail the future with
 * the blocking call's exception.
 */
final class BlockingAsyncCacheBackend implements AsyncCacheBackend {

	private final CacheBackend backend;

	private final CacheExecutor executor;

	BlockingAsyncCacheBackend(CacheBackend backend, CacheExecutor executor) {
		this.backend = backend;
		this.executor = executor;
	}

	@Override
	public String alias() {
		return this.backend.alias();
	}

	private <R> CompletableFuture<R> run(Supplier<R> call, R whenRefused) {
		return this.executor.submit(call)
			.exceptionallyCompose((failure) -> (failure.getCause() instanceof CacheAccessException
					|| failure instanceof CacheAccessException) ? CompletableFuture.completedFuture(whenRefused)
							: CompletableFuture.failedFuture(failure));
	}

	@Override
	public <T> CompletableFuture<@Nullable T> getOrDefault(String key, @Nullable T defaultValue) {
		return run(() -> this.backend.getOrDefault(key, defaultValue), defaultValue);
	}

	@Override
	public CompletableFuture<@Nullable Void> set(String key, @Nullable Object value, Timeout timeout) {
		return run(() -> {
			this.backend.set(key, value, timeout);
			return null;
		}, null);
	}

	@Override
	public CompletableFuture<Boolean> add(String key, @Nullable Object value, Timeout timeout) {
		return run(() -> this.backend.add(key, value, timeout), false);
	}

	@Override
	public <T> CompletableFuture<@Nullable T> getOrSet(String key,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier, Timeout timeout) {
		// The blocking getOrSet is single-flight; the supplier's future is joined on the executor's thread.
		return run(() -> this.backend.getOrSet(key, () -> supplier.get().join(), timeout), null);
	}

	@Override
	public CompletableFuture<Boolean> touch(String key, Timeout timeout) {
		return run(() -> this.backend.touch(key, timeout), false);
	}

	@Override
	public CompletableFuture<Boolean> delete(String key) {
		return run(() -> this.backend.delete(key), false);
	}

	@Override
	public CompletableFuture<Boolean> hasKey(String key) {
		return run(() -> this.backend.hasKey(key), false);
	}

	@Override
	public CompletableFuture<Map<String, @Nullable Object>> getMany(Collection<String> keys) {
		return run(() -> this.backend.getMany(keys), Map.of());
	}

	@Override
	public CompletableFuture<List<String>> setMany(Map<String, ?> values, Timeout timeout) {
		return run(() -> this.backend.setMany(values, timeout), List.copyOf(values.keySet()));
	}

	@Override
	public CompletableFuture<@Nullable Void> deleteMany(Collection<String> keys) {
		return run(() -> {
			this.backend.deleteMany(keys);
			return null;
		}, null);
	}

	@Override
	public CompletableFuture<Long> incr(String key, long delta) {
		return missingWhenRefused(key, this.executor.submit(() -> this.backend.incr(key, delta)));
	}

	@Override
	public CompletableFuture<Integer> incrVersion(String key, int delta) {
		return missingWhenRefused(key, this.executor.submit(() -> this.backend.incrVersion(key, delta)));
	}

	/**
	 * An unreachable counter is a missing counter, as in the blocking API.
	 */
	private static <R> CompletableFuture<R> missingWhenRefused(String key, CompletableFuture<R> call) {
		return call.exceptionallyCompose((failure) -> CompletableFuture.failedFuture(
				(failure.getCause() instanceof CacheAccessException || failure instanceof CacheAccessException)
						? new NoSuchElementException("Key '" + key + "' not found") : failure));
	}

	@Override
	public CompletableFuture<@Nullable Void> clear() {
		return run(() -> {
			this.backend.clear();
			return null;
		}, null);
	}

}
