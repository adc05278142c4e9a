package io.cacheframework.autoconfigure.actuate;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.CacheBackendsEndpoint;
import io.cacheframework.actuate.DjangoCacheMeterBinderProvider;
import io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.thymeleaf.FragmentCacheRecorder;
import io.cacheframework.web.PageCacheRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Actuator, health and metrics auto-configurations switch on with their libraries and back off without them.
 */
class CacheBackendsActuatorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("management.endpoints.web.exposure.include=cachebackends",
				"app.caches.default.location=actuator-autoconfiguration")
		.withConfiguration(AutoConfigurations.of(CacheFrameworkAutoConfiguration.class,
				CacheBackendsEndpointAutoConfiguration.class, CacheBackendsHealthAutoConfiguration.class,
				CacheBackendsMetricsAutoConfiguration.class));

	@Test
	void everythingWithTheLibraries() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("app.cache-metrics.operation-timers=all")
			.run((context) -> {
			assertThat(context).hasSingleBean(CacheBackendsEndpoint.class)
				.hasBean("cachebackendsHealthContributor")
				.hasSingleBean(DjangoCacheMeterBinderProvider.class)
				.hasSingleBean(PageCacheRecorder.class)
				.hasSingleBean(FragmentCacheRecorder.class);
			context.getBean(Caches.class).get("default").get("timed");
			assertThat(context.getBean(MeterRegistry.class).find("cache.backend.operation").tag("operation", "get")
				.functionTimer()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void inMemoryBackendsAreNotTimedByDefault() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("app.caches.nothing.backend=dummy")
			.run((context) -> {
				context.getBean(Caches.class).get("default").get("untimed");
				context.getBean(Caches.class).get("nothing").get("untimed");
				assertThat(context.getBean(MeterRegistry.class).find("cache.backend.operation").meters()).isEmpty();
			});
	}

	@Test
	void badTimerModeFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("app.cache-metrics.operation-timers=sometimes")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("app.cache-metrics.operation-timers"));
	}

	@Test
	void startsWithoutActuatorHealthOrMicrometer() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class, MeterRegistry.class))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(CacheBackendsEndpoint.class)
					.doesNotHaveBean("cachebackendsHealthContributor")
					.doesNotHaveBean(DjangoCacheMeterBinderProvider.class)
					.doesNotHaveBean(PageCacheRecorder.class)
					.doesNotHaveBean(FragmentCacheRecorder.class);
				assertThat(context.getBean(Caches.class).get("default").get("x")).isNull();
			});
	}

	@Test
	void switchesOffByProperty() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("management.health.cachebackends.enabled=false",
					"management.endpoint.cachebackends.access=NONE", "app.cache-metrics.operation-timers=none")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CacheBackendsEndpoint.class)
					.doesNotHaveBean("cachebackendsHealthContributor");
				((AbstractCacheBackend) context.getBean(Caches.class).get("default")).get("untimed");
				assertThat(context.getBean(MeterRegistry.class).find("cache.backend.operation").meters()).isEmpty();
			});
	}

	@Test
	void badDownWhenUnavailableValueFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("app.cache-health.down-when-unavailable=sometimes")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("app.cache-health.down-when-unavailable"));
	}

	@Test
	void downWhenUnavailableIsDescribedForTheIde() throws Exception {
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			List<Map<String, Object>> property = JsonPath.read(json,
					"$.properties[?(@.name == 'app.cache-health.down-when-unavailable')]");
			assertThat(property).singleElement().satisfies((entry) -> {
				assertThat(entry).containsEntry("type", "java.lang.Boolean").containsEntry("defaultValue", false);
				assertThat(entry.get("description")).asString().startsWith("Whether");
			});
		}
	}

	@Test
	void operationTimersIsDescribedForTheIde() throws Exception {
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			List<Map<String, Object>> property = JsonPath.read(json,
					"$.properties[?(@.name == 'app.cache-metrics.operation-timers')]");
			assertThat(property).singleElement().satisfies((entry) -> {
				assertThat(entry).containsEntry("type", CacheMetricsProperties.OperationTimers.class.getName())
					.containsEntry("defaultValue", "io");
				assertThat(entry.get("description")).asString().contains("cache.backend.operation");
			});
		}
	}

	@Test
	void timerModeInAnyCaseAndTheOldBooleans() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("app.cache-metrics.operation-timers=ALL")
			.run((context) -> assertThat(context.getBean(CacheMetricsProperties.class).getOperationTimers())
				.isEqualTo(CacheMetricsProperties.OperationTimers.ALL));
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("app.cache-metrics.operation-timers=false")
			.run((context) -> {
				context.getBean(Caches.class).get("default").get("untimed");
				assertThat(context.getBean(MeterRegistry.class).find("cache.backend.operation").meters()).isEmpty();
			});
	}

}
