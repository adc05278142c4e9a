package io.cacheframework.autoconfigure;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import javax.sql.DataSource;

import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSerialization;
import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSpec;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.jayway.jsonpath.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property a user can set has IDE metadata with a description, nested map properties included (the
 * configuration processor alone only describes {@code app.caches} as a map): each backend's options as the backend
 * itself lists them, and every name the startup check accepts. Conversely, no described property is refused at
 * startup.
 */
class ConfigurationMetadataTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AliasSpellingTests.libraryAutoConfigurations()))
		.withUserConfiguration(H2DataSource.class);

	@Test
	void everyCacheSpecPropertyIsDescribed() throws Exception {
		Map<String, Map<String, Object>> properties = properties();
		for (String name : beanProperties(CacheSpec.class)) {
			assertThat(properties).as("metadata for app.caches.default.%s", name)
				.containsKey("app.caches.default." + name);
			assertThat(properties.get("app.caches.default." + name).get("description")).asString().isNotBlank();
		}
		assertThat(properties).containsKeys("app.caches.default.options.max-entries",
				"app.caches.default.options.cull-frequency");
	}

	@Test
	void everySerializationPropertyIsDescribed() throws Exception {
		Map<String, Map<String, Object>> properties = properties();
		for (String name : beanProperties(CacheSerialization.class)) {
			assertThat(properties).containsKey("app.cache-serialization." + name);
			assertThat(properties.get("app.cache-serialization." + name).get("description")).asString()
				.isNotBlank();
		}
	}

	/**
	 * The options of every backend the library contributes, as the backend lists them when it refuses an unknown
	 * one; a backend that accepts an unknown option fails this test too.
	 */
	@Test
	void everyOptionOfEveryBackendIsDescribed() throws Exception {
		Map<String, Map<String, Object>> properties = properties();
		List<String> backends = new ArrayList<>();
		this.contextRunner.run((context) -> backends.addAll(context.getBeansOfType(CacheBackendFactory.class)
			.values()
			.stream()
			.map(CacheBackendFactory::name)
			.toList()));
		assertThat(backends).contains("locmem", "dummy", "filesystem", "database", "memcached");
		for (String backend : backends) {
			List<String> options = new ArrayList<>();
			this.contextRunner
				.withPropertyValues("app.caches.default.backend=" + backend,
						"app.caches.default.options.not-an-option-of-any-backend=1")
				.run((context) -> {
					assertThat(context).as("%s refuses an unknown option", backend).hasFailed();
					InvalidCacheConfigurationException failure = find(context.getStartupFailure());
					assertThat(failure).as("%s names the unknown option", backend).isNotNull();
					assertThat(failure.getProperty())
						.isEqualTo("app.caches.default.options.not-an-option-of-any-backend");
					options.addAll(failure.getValidNames());
				});
			assertThat(options).as("%s options", backend).contains("max-entries", "cull-frequency");
			for (String option : options) {
				String name = "app.caches.default.options." + option;
				assertThat(properties).as("metadata for %s (%s backend)", name, backend).containsKey(name);
				assertThat(properties.get(name).get("description")).as(name).asString().isNotBlank();
			}
		}
	}

	@Test
	void everyNameTheStartupCheckAcceptsIsDescribed() throws Exception {
		Map<String, Map<String, Object>> properties = properties();
		List<String> known = UnknownCacheProperties.knownNames();
		assertThat(known).contains("app.caches.default.timeout", "app.caches.default.options",
				"app.cache-middleware.enabled", "app.cache-pages[0].path", "app.cache-metrics.operation-timers",
				"app.cache-health.down-when-unavailable", "app.cache-database.create-tables",
				"app.cache-async.threads", "app.cache-async.queue-capacity");
		for (String name : known) {
			assertThat(properties).as("metadata for %s", name).containsKey(name);
			assertThat(properties.get(name).get("description")).as(name).asString().isNotBlank();
		}
	}

	@Test
	void noDescribedPropertyIsRefusedAtStartup() throws Exception {
		List<String> refused = new ArrayList<>();
		for (String name : new TreeSet<>(properties().keySet())) {
			if (name.startsWith("app.")) {
				UnknownCacheProperties.check(ConfigurationPropertyName.of(name),
						(unknown) -> refused.add(unknown.property()));
			}
		}
		assertThat(refused).isEmpty();
	}

	@Test
	void everyPropertyHasADescription() throws Exception {
		Map<String, Map<String, Object>> properties = properties();
		assertThat(properties).containsKeys("app.cache-metrics.operation-timers",
				"app.cache-health.down-when-unavailable", "management.health.cachebackends.enabled",
				"management.endpoint.cachebackends.access");
		properties.forEach((name, property) -> assertThat(property.get("description")).as(name)
			.asString()
			.isNotBlank());
	}

	private static InvalidCacheConfigurationException find(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidCacheConfigurationException invalid) {
				return invalid;
			}
		}
		return null;
	}

	private static List<String> beanProperties(Class<?> type) throws Exception {
		return java.util.Arrays.stream(Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors())
			.map(PropertyDescriptor::getName)
			.map(CachesBuilder::dashed)
			.toList();
	}

	private static Map<String, Map<String, Object>> properties() throws Exception {
		try (InputStream in = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated metadata").isNotNull();
			List<Map<String, Object>> all = JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8),
					"$.properties");
			Map<String, Map<String, Object>> result = new HashMap<>();
			for (Map<String, Object> property : all) {
				result.put((String) property.get("name"), property);
			}
			return result;
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class H2DataSource {

		@Bean
		DataSource dataSource() {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:mem:configuration-metadata");
			return dataSource;
		}

	}

}
