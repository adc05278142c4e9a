package io.cacheframework.backend.dummy;

import java.util.List;
import java.util.Map;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Django's {@code DummyCache}: implements the cache interface and stores nothing, for development and tests. Keys
 * are still made and validated, so key warnings appear as they would with a real cache; {@code add} reports success,
 * reads miss, {@code incr} and {@code incrVersion} throw {@link java.util.NoSuchElementException}, and
 * {@code getOrSet} computes every time.
 *
 * @since 0.1.0
 */
public class DummyCacheBackend extends AbstractCacheBackend implements CacheInspection {

	/**
	 * Create a backend.
	 * @param settings the settings
	 */
	public DummyCacheBackend(CacheSettings settings) {
		super(settings);
	}

	/**
	 * Its calls never wait, so the asynchronous API completes them in the caller.
	 */
	@Override
	protected boolean completesInCaller() {
		return true;
	}

	@Override
	public String backendName() {
		return "dummy";
	}

	@Override
	protected @Nullable Object doGet(String key) {
		return NOT_FOUND;
	}

	@Override
	protected void doSet(String key, @Nullable Object value, Timeout timeout) {
	}

	@Override
	protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
		return true;
	}

	@Override
	protected boolean doTouch(String key, Timeout timeout) {
		return false;
	}

	@Override
	protected boolean doDelete(String key) {
		return false;
	}

	@Override
	protected void doClear() {
	}


	// ---------------------------------------------------------------- inspection (Actuator)

	@Override
	public List<KeyInfo> inspectKeys(int limit) {
		return List.of();
	}

	@Override
	public Long entryCount() {
		return 0L;
	}

	@Override
	public Long byteCount() {
		return 0L;
	}

	@Override
	public List<ComponentHealth> checkHealth() {
		return List.of(ComponentHealth.up("dummy", Map.of("stores", "nothing")));
	}

}
