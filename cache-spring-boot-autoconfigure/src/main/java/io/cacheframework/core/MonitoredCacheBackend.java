package io.cacheframework.core;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Supplier;

import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gives a backend that implements only {@link CacheBackend} what operators need: its configured settings and name,
 * statistics, operation timers, and the same failure handling as the built-in backends (a
 * {@link CacheAccessException} is a miss or a failed write, counted and logged). The auto-configuration wraps every
 * configured backend that does not extend {@link AbstractCacheBackend}, which does all this itself.
 *
 * @since 0.1.0
 */
public final class MonitoredCacheBackend implements CacheBackend {

	private static final Object MISS = new Object();

	private final CacheBackend backend;

	private final CacheSettings settings;

	private final String backendName;

	private final CacheMonitor monitor;

	private MonitoredCacheBackend(CacheBackend backend, CacheSettings settings, String backendName,
			@Nullable CacheMonitor monitor) {
		this.backend = backend;
		this.settings = settings;
		this.backendName = backendName;
		this.monitor = (monitor != null) ? monitor
				: new CacheMonitor(this, LogFactory.getLog(backend.getClass()), settings.clock());
	}

	/**
	 * Monitor a backend, unless it monitors itself ({@link AbstractCacheBackend}).
	 * @param backend the backend
	 * @param settings the settings it was configured with
	 * @param backendName the name it was configured by (e.g. its class name)
	 * @return a monitored backend
	 */
	public static CacheBackend of(CacheBackend backend, CacheSettings settings, String backendName) {
		Objects.requireNonNull(backend, "backend must not be null");
		if (backend instanceof AbstractCacheBackend || backend instanceof MonitoredCacheBackend) {
			return backend;
		}
		return new MonitoredCacheBackend(backend, settings, backendName, null);
	}

	/**
	 * The backend this one monitors.
	 * @return the backend
	 */
	public CacheBackend unwrap() {
		return this.backend;
	}

	@Override
	public String alias() {
		return this.backend.alias();
	}

	@Override
	public String backendName() {
		return this.backendName;
	}

	@Override
	public CacheSettings settings() {
		return this.settings;
	}

	@Override
	public CacheStatistics statistics() {
		return this.monitor.statistics;
	}

	@Override
	public void setOperationListener(@Nullable CacheOperationListener listener) {
		this.monitor.setListener(listener);
	}

	@Override
	public @Nullable CacheInspection inspection() {
		return this.backend.inspection();
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		Object value = this.monitor.call(CacheOperation.GET, MISS, () -> this.backend.getOrDefault(key, MISS));
		if (value == MISS) {
			this.monitor.statistics.recordMisses(1);
			return defaultValue;
		}
		this.monitor.statistics.recordHits(1);
		return (T) value;
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		this.monitor.call(CacheOperation.SET, null, () -> {
			this.backend.set(key, value, timeout);
			this.monitor.statistics.recordSets(1);
			return null;
		});
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return this.monitor.call(CacheOperation.ADD, false, () -> {
			boolean added = this.backend.add(key, value, timeout);
			if (added) {
				this.monitor.statistics.recordSets(1);
			}
			return added;
		});
	}

	@Override
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		boolean[] computed = new boolean[1];
		T value = this.backend.getOrSet(key, () -> {
			computed[0] = true;
			return supplier.get();
		}, timeout);
		if (computed[0]) {
			this.monitor.statistics.recordMisses(1);
			this.monitor.statistics.recordSets(1);
		}
		else {
			this.monitor.statistics.recordHits(1);
		}
		return value;
	}

	@Override
	public boolean touch(String key, Timeout timeout) {
		return this.monitor.call(CacheOperation.TOUCH, false, () -> this.backend.touch(key, timeout));
	}

	@Override
	public boolean delete(String key) {
		return this.monitor.call(CacheOperation.DELETE, false, () -> {
			boolean deleted = this.backend.delete(key);
			if (deleted) {
				this.monitor.statistics.recordDeletes(1);
			}
			return deleted;
		});
	}

	@Override
	public boolean hasKey(String key) {
		return this.monitor.call(CacheOperation.HAS_KEY, false, () -> this.backend.hasKey(key));
	}

	@Override
	public Map<String, @Nullable Object> getMany(Collection<String> keys) {
		Map<String, @Nullable Object> found = this.monitor.call(CacheOperation.GET_MANY, Map.of(),
				() -> this.backend.getMany(keys));
		this.monitor.statistics.recordHits(found.size());
		this.monitor.statistics.recordMisses(new LinkedHashSet<>(keys).size() - found.size());
		return found;
	}

	@Override
	public List<String> setMany(Map<String, ?> values, Timeout timeout) {
		List<String> failed = this.monitor.call(CacheOperation.SET_MANY, List.copyOf(values.keySet()),
				() -> this.backend.setMany(values, timeout));
		this.monitor.statistics.recordSets(values.size() - failed.size());
		return failed;
	}

	@Override
	public void deleteMany(Collection<String> keys) {
		this.monitor.call(CacheOperation.DELETE_MANY, null, () -> {
			this.backend.deleteMany(keys);
			return null;
		});
	}

	@Override
	public long incr(String key, long delta) {
		Long result = this.monitor.call(CacheOperation.INCR, null, () -> this.backend.incr(key, delta));
		if (result == null) {
			throw new NoSuchElementException("Key '" + key + "' not found");
		}
		return result;
	}

	@Override
	public int incrVersion(String key, int delta) {
		return this.backend.incrVersion(key, delta);
	}

	@Override
	public void clear() {
		this.monitor.call(CacheOperation.CLEAR, null, () -> {
			this.backend.clear();
			return null;
		});
	}

	@Override
	public CacheBackend withVersion(int version) {
		// The version view counts into the same statistics.
		return new MonitoredCacheBackend(this.backend.withVersion(version), this.settings, this.backendName,
				this.monitor);
	}

	@Override
	public String makeKey(String key) {
		return this.backend.makeKey(key);
	}

	@Override
	public void close() {
		this.backend.close();
	}

	@Override
	public String toString() {
		return "Monitored[" + this.backend + "]";
	}

}
