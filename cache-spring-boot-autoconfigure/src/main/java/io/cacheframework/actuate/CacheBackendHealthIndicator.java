package io.cacheframework.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.CacheInspection.ComponentHealth;
import io.cacheframework.core.Caches;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of one cache alias, from {@link CacheInspection#checkHealth()}: {@code UP} when every component (each
 * memcached server; the table; the directory) answers, {@code DOWN} when none does.
 *
 * <p>When some but not all servers answer, the cache still serves (keys on the lost server become misses), so the
 * status is {@code UP} with the description {@code "degraded: N of M servers down"} and the detail
 * {@code "degraded": true}; a health group or alert can match on that detail. A custom status such as
 * {@code DEGRADED} was not used: Boot ignores statuses missing from {@code management.endpoint.health.status.order}
 * when aggregating, which would turn an all-degraded composite into {@code UNKNOWN} unless every application
 * configured the order.
 *
 * <p>A backend that does not implement {@link CacheInspection} reports {@code UNKNOWN}.
 *
 * @since 0.1.0
 */
public class CacheBackendHealthIndicator implements HealthIndicator {

	private final CacheBackend backend;

	/**
	 * Create an indicator.
	 * @param backend the cache
	 */
	public CacheBackendHealthIndicator(CacheBackend backend) {
		this.backend = Objects.requireNonNull(backend, "backend must not be null");
	}

	/**
	 * The {@code cachebackends} component: one indicator per alias.
	 * @param caches the caches
	 * @return the composite
	 */
	public static CompositeHealthContributor composite(Caches caches) {
		Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
		for (String alias : caches.aliases()) {
			indicators.put(alias, new CacheBackendHealthIndicator(caches.get(alias)));
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

	@Override
	public Health health() {
		String backendName = (this.backend instanceof AbstractCacheBackend base) ? base.backendName()
				: this.backend.getClass().getName();
		if (!(this.backend instanceof CacheInspection inspection)) {
			return Health.unknown()
				.withDetail("backend", backendName)
				.withDetail("reason", "the backend cannot be inspected")
				.build();
		}
		List<ComponentHealth> components;
		try {
			components = inspection.checkHealth();
		}
		catch (RuntimeException ex) {
			return Health.down(ex).withDetail("backend", backendName).build();
		}
		if (components.size() == 1) {
			ComponentHealth only = components.get(0);
			return (only.up() ? Health.up() : Health.down()).withDetail("backend", backendName)
				.withDetail("component", only.component())
				.withDetails(only.details())
				.build();
		}
		int down = 0;
		Map<String, Object> servers = new LinkedHashMap<>();
		for (ComponentHealth component : components) {
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("status", component.up() ? Status.UP.getCode() : Status.DOWN.getCode());
			detail.putAll(component.details());
			servers.put(component.component(), detail);
			if (!component.up()) {
				down++;
			}
		}
		Health.Builder builder;
		if (down == 0) {
			builder = Health.up();
		}
		else if (down == components.size()) {
			builder = Health.down();
		}
		else {
			builder = Health.status(new Status(Status.UP.getCode(),
					"degraded: " + down + " of " + components.size() + " servers down"))
				.withDetail("degraded", true);
		}
		return builder.withDetail("backend", backendName).withDetail("servers", servers).build();
	}

}
