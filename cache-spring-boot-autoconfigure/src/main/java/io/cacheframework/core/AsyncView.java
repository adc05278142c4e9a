package io.cacheframework.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.cacheframework.core.AbstractCacheBackend.MadeKey;
import org.jspecify.annotations.Nullable;

/**
 * The asynchronous API of an {@link AbstractCacheBackend} for one version: the blocking operations' key making,
 * validation, timeouts, statistics and failure handling, over the backend's asynchronous primitives. A caller's
 * mistake (a bad key, a value that cannot be stored) fails the future with the blocking call's exception; a store
 * failure completes it as a miss or a failed write.
 */
final class AsyncView implements AsyncCacheBackend {

	private static final Object NOT_FOUND = AbstractCacheBackend.NOT_FOUND;

	private final AbstractCacheBackend backend;

	private final int version;

	private final CacheMonitor monitor;

	AsyncView(AbstractCacheBackend backend, int version) {
		this.backend = backend;
		this.version = version;
		this.monitor = backend.monitor;
	}

	@Override
	public String alias() {
		return this.backend.alias();
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<@Nullable T> getOrDefault(String key, @Nullable T defaultValue) {
		return read(key).thenApply((value) -> {
			if (value == NOT_FOUND) {
				this.monitor.statistics.recordMisses(1);
				return defaultValue;
			}
			this.monitor.statistics.recordHits(1);
			return (T) value;
		});
	}

	private CompletableFuture<@Nullable Object> read(String key) {
		Objects.requireNonNull(key, "key must not be null");
		String head = this.backend.keyHead(this.version);
		try {
			if (head != null) {
				this.backend.validate(head, key);
				return this.monitor.callAsync(CacheOperation.GET, NOT_FOUND, () -> this.backend.doGetAsync(head, key));
			}
			return readMade(this.backend.makeAndValidate(key, this.version));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private CompletableFuture<@Nullable Object> readMade(String made) {
		return this.monitor.callAsync(CacheOperation.GET, NOT_FOUND, () -> this.backend.doGetAsync(made));
	}

	@Override
	public CompletableFuture<@Nullable Void> set(String key, @Nullable Object value, Timeout timeout) {
		return made(key).thenCompose((made) -> this.monitor.callAsync(CacheOperation.SET, false,
				() -> this.backend.doSetAsync(made, value, this.backend.resolve(timeout)).thenApply((done) -> true)))
			.thenApply((stored) -> {
				if (stored) {
					this.monitor.statistics.recordSets(1);
				}
				return null;
			});
	}

	@Override
	public CompletableFuture<Boolean> add(String key, @Nullable Object value, Timeout timeout) {
		return made(key).thenCompose((made) -> addMade(made, value, timeout));
	}

	private CompletableFuture<Boolean> addMade(String made, @Nullable Object value, Timeout timeout) {
		return this.monitor.callAsync(CacheOperation.ADD, false,
				() -> this.backend.doAddAsync(made, value, this.backend.resolve(timeout)))
			.thenApply((added) -> {
				if (added) {
					this.monitor.statistics.recordSets(1);
				}
				return added;
			});
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<@Nullable T> getOrSet(String key,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier, Timeout timeout) {
		Objects.requireNonNull(supplier, "supplier must not be null");
		return made(key).thenCompose((made) -> {
			if (SingleFlight.isLeading(this.backend.storeIdentity(), made)) {
				// Checked here, in the caller's thread: once the read below has run, the caller cannot be told apart.
				return CompletableFuture.failedFuture(
						new IllegalStateException("getOrSet for key '" + key + "' called itself from its supplier"));
			}
			return getOrSetMade(made, supplier, timeout);
		});
	}

	@SuppressWarnings("unchecked")
	private <T> CompletableFuture<@Nullable T> getOrSetMade(String made,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier, Timeout timeout) {
		return readMade(made).thenCompose((value) -> {
			if (value != NOT_FOUND) {
				this.monitor.statistics.recordHits(1);
				return CompletableFuture.completedFuture((T) value);
			}
			this.monitor.statistics.recordMisses(1);
			return SingleFlight.<T>runAsync(this.backend.storeIdentity(), made,
					() -> lead(made, supplier, timeout),
					(result) -> readMade(made).thenApply((stored) -> (stored != NOT_FOUND) ? (T) stored : result));
		});
	}

	/**
	 * The leader's work, as the blocking getOrSet's: read again, compute, add, and read back the winner's value.
	 */
	@SuppressWarnings("unchecked")
	private <T> CompletableFuture<@Nullable T> lead(String made,
			Supplier<? extends CompletableFuture<? extends @Nullable T>> supplier, Timeout timeout) {
		return readMade(made).thenCompose((current) -> {
			if (current != NOT_FOUND) {
				return CompletableFuture.completedFuture((T) current);
			}
			CompletableFuture<? extends @Nullable T> computing = SingleFlight.supplyAsLeader(
					this.backend.storeIdentity(), made, supplier::get);
			return computing.thenCompose((computed) -> addMade(made, computed, timeout)
				.thenCompose((added) -> readMade(made))
				.thenApply((stored) -> (stored != NOT_FOUND) ? (T) stored : (T) computed));
		});
	}

	@Override
	public CompletableFuture<Boolean> touch(String key, Timeout timeout) {
		return made(key).thenCompose((made) -> this.monitor.callAsync(CacheOperation.TOUCH, false,
				() -> this.backend.doTouchAsync(made, this.backend.resolve(timeout))));
	}

	@Override
	public CompletableFuture<Boolean> delete(String key) {
		return made(key).thenCompose((made) -> this.monitor.callAsync(CacheOperation.DELETE, false,
				() -> this.backend.doDeleteAsync(made)))
			.thenApply((deleted) -> {
				if (deleted) {
					this.monitor.statistics.recordDeletes(1);
				}
				return deleted;
			});
	}

	@Override
	public CompletableFuture<Boolean> hasKey(String key) {
		return made(key).thenCompose((made) -> this.monitor.callAsync(CacheOperation.HAS_KEY, false,
				() -> this.backend.doHasKeyAsync(made)));
	}

	@Override
	public CompletableFuture<Map<String, @Nullable Object>> getMany(Collection<String> keys) {
		List<MadeKey> toRead;
		try {
			toRead = this.backend.distinctMadeKeys(keys, this.version);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (toRead.isEmpty()) {
			return CompletableFuture.completedFuture(Collections.emptyMap());
		}
		return this.monitor.callAsync(CacheOperation.GET_MANY, Collections.emptyMap(),
				() -> this.backend.doGetManyAsync(toRead))
			.thenApply((found) -> this.backend.hits(toRead, found));
	}

	@Override
	public CompletableFuture<List<String>> setMany(Map<String, ?> values, Timeout timeout) {
		if (values.isEmpty()) {
			return CompletableFuture.completedFuture(new ArrayList<>());
		}
		Map<String, String> callerKeys = new LinkedHashMap<>();
		Map<String, @Nullable Object> made = new LinkedHashMap<>();
		Timeout resolved;
		try {
			for (Map.Entry<String, ?> entry : values.entrySet()) {
				String madeKey = this.backend.makeAndValidate(entry.getKey(), this.version);
				callerKeys.put(madeKey, entry.getKey());
				made.put(madeKey, entry.getValue());
			}
			resolved = this.backend.resolve(timeout);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return this.monitor.callAsync(CacheOperation.SET_MANY, new ArrayList<>(made.keySet()),
				() -> this.backend.doSetManyAsync(made, resolved))
			.thenApply((failedMade) -> {
				List<String> failed = new ArrayList<>(failedMade.size());
				for (String key : failedMade) {
					failed.add(callerKeys.get(key));
				}
				this.monitor.statistics.recordSets(made.size() - failed.size());
				return failed;
			});
	}

	@Override
	public CompletableFuture<@Nullable Void> deleteMany(Collection<String> keys) {
		List<String> made;
		try {
			made = this.backend.distinctMadeKeyTexts(keys, this.version);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (made.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		return this.monitor.callAsync(CacheOperation.DELETE_MANY, null, () -> this.backend.doDeleteManyAsync(made));
	}

	@Override
	public CompletableFuture<Long> incr(String key, long delta) {
		return made(key).thenCompose((made) -> this.monitor.callAsync(CacheOperation.INCR, null,
				() -> this.backend.doIncrAsync(made, key, delta)))
			.thenApply((result) -> {
				if (result == null) {
					// An unreachable counter is a missing counter, as in the blocking API.
					throw AbstractCacheBackend.notFound(key);
				}
				return result;
			});
	}

	@Override
	public CompletableFuture<Integer> incrVersion(String key, int delta) {
		AsyncView next = new AsyncView(this.backend, this.version + delta);
		return getOrDefault(key, NOT_FOUND).thenCompose((value) -> {
			if (value == NOT_FOUND) {
				throw AbstractCacheBackend.notFound(key);
			}
			return next.set(key, value)
				.thenCompose((done) -> delete(key))
				.thenApply((deleted) -> this.version + delta);
		});
	}

	@Override
	public CompletableFuture<@Nullable Void> clear() {
		return this.monitor.callAsync(CacheOperation.CLEAR, null, this.backend::doClearAsync);
	}

	/**
	 * The made, validated key, or a future failed with the blocking call's exception.
	 */
	private CompletableFuture<String> made(String key) {
		try {
			return CompletableFuture.completedFuture(this.backend.makeAndValidate(key, this.version));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	@Override
	public String toString() {
		return "Async[" + this.backend + ", version=" + this.version + "]";
	}

}
