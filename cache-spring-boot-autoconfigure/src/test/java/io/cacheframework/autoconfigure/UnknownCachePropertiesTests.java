package io.cacheframework.autoconfigure;

import java.util.Map;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.LogCapture;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A name under one of the library's groups that nothing binds fails startup, naming it and listing the valid names
 * in its place. Before, Spring Boot ignored every one of these and the default stayed in force; under
 * {@code options} the local-memory and dummy backends ignored any name.
 */
class UnknownCachePropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CacheFrameworkAutoConfiguration.class));

	@Test
	void misspeltAliasPropertyFailsWithTheValidNames() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.timout=30");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.timout");
		assertThat(failure.getReason()).contains("did you mean timeout?");
		assertThat(failure.getValidNames()).containsExactly("backend", "key-function", "key-prefix", "location",
				"options", "timeout", "version");
		assertThat(failure).hasMessageContaining("valid names: backend, key-function, key-prefix, location, options");
	}

	@Test
	void misspeltOptionsGroupFails() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.option.max-entries=10");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.option");
		assertThat(failure.getReason()).contains("did you mean options?");
	}

	@Test
	void djangoOptionOneLevelTooHighFails() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.MAX_ENTRIES=10");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.MAX_ENTRIES");
		assertThat(failure.getReason()).contains("did you mean options.max-entries?");
	}

	@Test
	void unrelatedAliasPropertyPointsAtOptions() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.operation-timeout=1s");
		assertThat(failure.getReason()).contains("a backend's own settings go under app.caches.default.options");
	}

	@Test
	void camelCaseAliasIsNamedAsWritten() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.backend=locmem",
				"app.caches.testCache.timout=30");
		assertThat(failure.getProperty()).isEqualTo("app.caches.testCache.timout");
	}

	@Test
	void everyUnknownNameIsListed() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.timout=30",
				"app.caches.default.versoin=2");
		assertThat(failure.getReason()).contains("also not a property: app.caches.default.versoin");
	}

	@Test
	void scalarWithChildrenFails() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.timeout.seconds=30");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.timeout.seconds");
		assertThat(failure.getReason()).contains("takes a single value");
	}

	@Test
	void misspeltMiddlewarePropertyFails() {
		InvalidCacheConfigurationException failure = failure("app.cache-middleware.enabeld=true");
		assertThat(failure.getProperty()).isEqualTo("app.cache-middleware.enabeld");
		assertThat(failure.getReason()).contains("did you mean enabled?");
		assertThat(failure.getValidNames()).contains("alias", "allowed-hosts", "enabled", "key-prefix", "max-size",
				"seconds", "use-i18n", "use-tz");
	}

	@Test
	void misspeltPerViewPropertyFails() {
		InvalidCacheConfigurationException failure = failure("app.cache-pages[0].path=/a",
				"app.cache-pages[0].timout=60");
		assertThat(failure.getProperty()).isEqualTo("app.cache-pages[0].timout");
		assertThat(failure.getValidNames()).containsExactly("cache", "key-prefix", "path", "timeout");
	}

	@Test
	void perViewEntryWithoutIndexFails() {
		InvalidCacheConfigurationException failure = failure("app.cache-pages.path=/a");
		assertThat(failure.getProperty()).isEqualTo("app.cache-pages.path");
		assertThat(failure.getReason()).contains("is a list");
	}

	@Test
	void misspeltSerializationPropertyFails() {
		InvalidCacheConfigurationException failure = failure("app.cache-serialization.allowed-class=com.example.*");
		assertThat(failure.getReason()).contains("did you mean allowed-classes?");
	}

	@Test
	void misspeltSwitchesFail() {
		assertThat(failure("app.cache-health.down-when-unavailble=true").getValidNames())
			.containsExactly("down-when-unavailable");
		assertThat(failure("app.cache-metrics.operation-timer=all").getValidNames())
			.containsExactly("operation-timers");
		assertThat(failure("app.cache-database.create-table=true").getValidNames()).containsExactly("create-tables");
	}

	@Test
	void unknownLocMemOptionFails() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.options.max-entires=5");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.options.max-entires");
		assertThat(failure.getReason()).contains("locmem backend").contains("did you mean max-entries?");
		assertThat(failure.getValidNames()).containsExactly("cull-frequency", "max-entries");
	}

	@Test
	void unknownDummyOptionFails() {
		InvalidCacheConfigurationException failure = failure("app.caches.default.backend=dummy",
				"app.caches.default.options.location=x");
		assertThat(failure.getProperty()).isEqualTo("app.caches.default.options.location");
	}

	@Test
	void everyValidSpellingStarts() {
		this.contextRunner
			.withPropertyValues("app.caches.default.location[0]=valid", "app.caches.default.keyPrefix=camel",
					"app.caches.default.options.MAX_ENTRIES=7", "app.caches.default.options.cullFrequency=2",
					"app.caches.snake.key_prefix=snake", "app.caches.snake.TIMEOUT=60",
					"app.cache-middleware.useI18n=false", "app.cache-middleware.allowed-hosts[0]=example.com",
					"app.cache-middleware.max-size=2MB", "app.cache-pages[0].path=/a", "app.cache-pages[0].timeout=5",
					"app.cache-pages[1].path=/b", "app.cache-pages[1].key-prefix=p",
					"app.cache-serialization.allowed-classes[0]=com.example.*", "app.cache-serialization.max-depth=5",
					"app.cache-database.create-tables=false", "app.cache-health.down-when-unavailable=false",
					"app.cache-metrics.operation-timers=none")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Caches caches = context.getBean(Caches.class);
				assertThat(caches.get("default").settings().keyPrefix()).isEqualTo("camel");
				assertThat(caches.get("default").settings().maxEntries()).isEqualTo(7);
				assertThat(caches.get("default").settings().cullFrequency()).isEqualTo(2);
				// The spellings the check lets through are the ones Spring Boot binds.
				assertThat(caches.get("snake").settings().keyPrefix()).isEqualTo("snake");
				assertThat(caches.get("snake").settings().timeout()).isEqualTo(Timeout.seconds(60));
			});
	}

	@Test
	void applicationsOwnPropertiesUnderAppAreLeftAlone() {
		this.contextRunner.withPropertyValues("app.name=shop", "app.cache.enabled=true", "app.cached-pages=4")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void nearMissOfAGroupIsLogged() {
		try (LogCapture log = LogCapture.of(UnknownCacheProperties.class.getName())) {
			this.contextRunner.withPropertyValues("app.cache-midleware.enabled=true")
				.run((context) -> assertThat(context).hasNotFailed());
			assertThat(log.warnings()).singleElement()
				.asString()
				.contains("app.cache-midleware")
				.contains("did you mean app.cache-middleware?");
		}
	}

	@Test
	void environmentVariablesAreBoundAndNotReported() {
		// Boot binds APP_CACHES_DEFAULT_KEY_PREFIX to key-prefix, though its listing maps it to key.prefix.
		this.contextRunner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new SystemEnvironmentPropertySource("systemEnvironment",
						Map.of("APP_CACHES_DEFAULT_KEY_PREFIX", "env"))))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(CacheBackend.class);
				assertThat(cache.settings().keyPrefix()).isEqualTo("env");
			});
	}

	private InvalidCacheConfigurationException failure(String... properties) {
		InvalidCacheConfigurationException[] found = new InvalidCacheConfigurationException[1];
		this.contextRunner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
				if (cause instanceof InvalidCacheConfigurationException invalid) {
					found[0] = invalid;
					break;
				}
			}
		});
		assertThat(found[0]).as("InvalidCacheConfigurationException in the startup failure").isNotNull();
		return found[0];
	}

}
