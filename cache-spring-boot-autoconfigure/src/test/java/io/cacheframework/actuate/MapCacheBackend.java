package io.cacheframework.actuate;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * A custom backend as a user would write one: it implements only {@link CacheBackend} (no base class, no counting,
 * timing or failure handling of its own), over a map, and throws {@link CacheAccessException} while
 * {@link #failing} is set. Configured by class name ({@code backend: io.cacheframework.actuate.MapCacheBackend}).
 * It cannot be inspected, so its health is {@code UNKNOWN}; {@link Inspected} can.
 */
public class MapCacheBackend implements CacheBackend {

	/**
	 * Every call fails while set.
	 */
	static volatile boolean failing;

	private final CacheSettings settings;

	private final Map<String, Object> entries;

	private final int version;

	/**
	 * The constructor the configuration calls.
	 * @param settings the alias's settings
	 */
	public MapCacheBackend(CacheSettings settings) {
		this(settings, new ConcurrentHashMap<>(), settings.version());
	}

	private MapCacheBackend(CacheSettings settings, Map<String, Object> entries, int version) {
		this.settings = settings;
		this.entries = entries;
		this.version = version;
	}

	Map<String, Object> store() {
		if (failing) {
			throw new CacheAccessException("map store down");
		}
		return this.entries;
	}

	@Override
	public String alias() {
		return this.settings.alias();
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T getOrDefault(String key, @Nullable T defaultValue) {
		Object value = store().get(makeKey(key));
		return (value != null) ? (T) ((Object[]) value)[0] : defaultValue;
	}

	@Override
	public void set(String key, @Nullable Object value, Timeout timeout) {
		store().put(makeKey(key), new Object[] { value });
	}

	@Override
	public boolean add(String key, @Nullable Object value, Timeout timeout) {
		return store().putIfAbsent(makeKey(key), new Object[] { value }) == null;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T getOrSet(String key, Supplier<? extends @Nullable T> supplier, Timeout timeout) {
		return (T) ((Object[]) store().computeIfAbsent(makeKey(key), (k) -> new Object[] { supplier.get() }))[0];
	}

	@Override
	public boolean touch(String key, Timeout timeout) {
		return store().containsKey(makeKey(key));
	}

	@Override
	public boolean delete(String key) {
		return store().remove(makeKey(key)) != null;
	}

	@Override
	public boolean hasKey(String key) {
		return store().containsKey(makeKey(key));
	}

	@Override
	public Map<String, @Nullable Object> getMany(Collection<String> keys) {
		Map<String, @Nullable Object> found = new LinkedHashMap<>();
		for (String key : keys) {
			Object value = store().get(makeKey(key));
			if (value != null) {
				found.put(key, ((Object[]) value)[0]);
			}
		}
		return found;
	}

	@Override
	public List<String> setMany(Map<String, ?> values, Timeout timeout) {
		values.forEach((key, value) -> set(key, value, timeout));
		return List.of();
	}

	@Override
	public void deleteMany(Collection<String> keys) {
		keys.forEach(this::delete);
	}

	@Override
	public long incr(String key, long delta) {
		Object[] value = (Object[]) store().get(makeKey(key));
		if (value == null) {
			throw new NoSuchElementException(key);
		}
		long result = ((Number) value[0]).longValue() + delta;
		set(key, result, Timeout.DEFAULT);
		return result;
	}

	@Override
	public int incrVersion(String key, int delta) {
		Object value = getOrDefault(key, null);
		delete(key);
		withVersion(this.version + delta).set(key, value);
		return this.version + delta;
	}

	@Override
	public void clear() {
		store().clear();
	}

	@Override
	public CacheBackend withVersion(int version) {
		return new MapCacheBackend(this.settings, this.entries, version);
	}

	@Override
	public String makeKey(String key) {
		return this.settings.keyFunction().makeKey(key, this.settings.keyPrefix(), this.version);
	}

	@Override
	public void close() {
	}

	/**
	 * The same backend, with an inspection (from {@link CacheBackend#inspection()}, still no other interface): one
	 * component, {@code map}, down while the backend fails.
	 */
	public static class Inspected extends MapCacheBackend {

		/**
		 * The constructor the configuration calls.
		 * @param settings the alias's settings
		 */
		public Inspected(CacheSettings settings) {
			super(settings);
		}

		@Override
		public CacheInspection inspection() {
			return new CacheInspection() {

				@Override
				public List<KeyInfo> inspectKeys(int limit) {
					return store().keySet().stream().limit(limit).map((key) -> new KeyInfo(key, null, null)).toList();
				}

				@Override
				public Long entryCount() {
					return (long) store().size();
				}

				@Override
				public List<ComponentHealth> checkHealth() {
					return List.of(new ComponentHealth("map", !failing, Map.of()));
				}

			};
		}

	}

}
