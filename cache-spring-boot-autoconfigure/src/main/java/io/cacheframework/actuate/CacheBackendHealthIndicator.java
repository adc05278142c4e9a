package io.cacheframework.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * memcached server; the table; the directory) answers.
 *
 * <p>A cache that does not answer is not an unhealthy application: every call becomes a miss or a skipped write and
 * the application keeps serving, only slower. So by default an alias reports {@code UP} even then, and says so in
 * its details, so that a load balancer watching {@code /actuator/health} does not take every instance out of
 * service for a cache outage:
 * <ul>
 * <li>some servers down, the rest serving: {@code UP}, description {@code "degraded: N of M servers down"}, detail
 * {@code "degraded": true}, each server's own status in {@code servers};</li>
 * <li>nothing answers (every server, the table, the directory): {@code UP}, description
 * {@code "unavailable: ..."}, details {@code "degraded": true} and {@code "unavailable": true}, each component
 * {@code DOWN} in the details; with {@code downWhenUnavailable} (the property
 * {@code app.cache-health.down-when-unavailable}) the alias is {@code DOWN} instead, and so is the application's
 * health.</li>
 * </ul>
 * Alert on the {@code degraded} and {@code unavailable} details. A custom status such as {@code DEGRADED} was not
 * used: Boot ignores statuses missing from {@code management.endpoint.health.status.order} when aggregating, which
 * would turn the composite into {@code UNKNOWN} unless every application configured the order.
 *
 * <p>A backend that does not implement {@link CacheInspection} reports {@code UNKNOWN}.
 *
 * @since 0.1.0
 */
public class CacheBackendHealthIndicator implements HealthIndicator {

	private final CacheBackend backend;

	private final boolean downWhenUnavailable;

	/**
	 * Create an indicator that stays {@code UP} when the cache does not answer.
	 * @param backend the cache
	 */
	public CacheBackendHealthIndicator(CacheBackend backend) {
		this(backend, false);
	}

	/**
	 * Create an indicator.
	 * @param backend the cache
	 * @param downWhenUnavailable whether a cache that does not answer at all is {@code DOWN} (which makes the
	 * application's health {@code DOWN}) rather than {@code UP} with {@code "unavailable": true}
	 */
	public CacheBackendHealthIndicator(CacheBackend backend, boolean downWhenUnavailable) {
		this.backend = Objects.requireNonNull(backend, "backend must not be null");
		this.downWhenUnavailable = downWhenUnavailable;
	}

	/**
	 * The {@code cachebackends} component: one indicator per alias, staying {@code UP} when a cache does not answer.
	 * @param caches the caches
	 * @return the composite
	 */
	public static CompositeHealthContributor composite(Caches caches) {
		return composite(caches, false);
	}

	/**
	 * The {@code cachebackends} component: one indicator per alias.
	 * @param caches the caches
	 * @param downWhenUnavailable whether an alias that does not answer at all is {@code DOWN}
	 * @return the composite
	 */
	public static CompositeHealthContributor composite(Caches caches, boolean downWhenUnavailable) {
		Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
		for (String alias : caches.aliases()) {
			indicators.put(alias, new CacheBackendHealthIndicator(caches.get(alias), downWhenUnavailable));
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

	@Override
	public Health health() {
		String backendName = this.backend.backendName();
		CacheInspection inspection = this.backend.inspection();
		if (inspection == null) {
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
			return unavailable("unavailable: the health check failed").withException(ex)
				.withDetail("backend", backendName)
				.build();
		}
		if (components.size() == 1) {
			ComponentHealth only = components.get(0);
			Health.Builder builder = only.up() ? Health.up()
					: unavailable("unavailable: " + only.component() + " is down");
			return builder.withDetail("backend", backendName)
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
			builder = unavailable("unavailable: " + down + " of " + components.size() + " servers down");
		}
		else {
			builder = Health.status(new Status(Status.UP.getCode(),
					"degraded: " + down + " of " + components.size() + " servers down"))
				.withDetail("degraded", true);
		}
		return builder.withDetail("backend", backendName).withDetail("servers", servers).build();
	}

	/**
	 * A cache that does not answer: calls are misses and skipped writes.
	 */
	private Health.Builder unavailable(String description) {
		if (this.downWhenUnavailable) {
			return Health.down().withDetail("unavailable", true);
		}
		return Health.status(new Status(Status.UP.getCode(), description + "; calls are misses"))
			.withDetail("degraded", true)
			.withDetail("unavailable", true);
	}

}
