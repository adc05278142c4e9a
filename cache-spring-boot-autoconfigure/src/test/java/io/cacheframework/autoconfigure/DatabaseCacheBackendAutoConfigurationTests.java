package io.cacheframework.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.core.Caches;
import org.h2.jdbcx.JdbcDataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binding and validation of {@code backend: database} aliases.
 */
class DatabaseCacheBackendAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
				CacheFrameworkAutoConfiguration.class))
		.withUserConfiguration(DataSources.class)
		.withPropertyValues("app.caches.default.backend=database", "app.caches.default.location=my_cache_table");

	@Test
	void usesThePrimaryDataSourceByDefault() {
		this.contextRunner.run((context) -> {
			DatabaseCacheBackend cache = (DatabaseCacheBackend) context.getBean(Caches.class).get("default");
			assertThat(cache.table()).isEqualTo("my_cache_table");
			assertThat(cache.writeDataSource()).isSameAs(context.getBean("primary"));
			assertThat(cache.readDataSource()).isSameAs(context.getBean("primary"));
			assertThat(cache.backendName()).isEqualTo("database");
		});
	}

	@Test
	void namedWriteAndReadDataSources() {
		this.contextRunner
			.withPropertyValues("app.caches.default.options.datasource=cachePrimary",
					"app.caches.default.options.read-datasource=cacheReplica",
					"app.caches.default.options.query-timeout=5s", "app.caches.default.options.cull-check-interval=7")
			.run((context) -> {
				DatabaseCacheBackend cache = (DatabaseCacheBackend) context.getBean(Caches.class).get("default");
				assertThat(cache.writeDataSource()).isSameAs(context.getBean("cachePrimary"));
				assertThat(cache.readDataSource()).isSameAs(context.getBean("cacheReplica"));
			});
	}

	@Test
	void missingLocationFailsNamingIt() {
		this.contextRunner.withPropertyValues("app.caches.default.location=")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.location")
				.hasStackTraceContaining("table"));
	}

	@Test
	void invalidTableNameFailsNamingIt() {
		this.contextRunner.withPropertyValues("app.caches.default.location=t; drop table x")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.location")
				.hasStackTraceContaining("not a valid table name"));
	}

	@Test
	void unknownDataSourceFailsNamingTheOption() {
		this.contextRunner.withPropertyValues("app.caches.default.options.read-datasource=nosuch")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.read-datasource")
				.hasStackTraceContaining("no DataSource bean named 'nosuch'")
				.hasStackTraceContaining("cacheReplica"));
	}

	/**
	 * What the user reads (the failure analysis) names the property and the problem when a bean reference is wrong:
	 * a missing bean, a bean that is not a DataSource, several DataSources and none primary.
	 */
	@Test
	void dataSourceReferencesNameTheirProperty() {
		this.contextRunner.withBean("notADataSource", String.class, () -> "x")
			.withPropertyValues("app.caches.default.options.datasource=notADataSource")
			.run((context) -> assertThat(analysis(context)).startsWith(
					"Invalid cache configuration: app.caches.default.options.datasource: bean 'notADataSource' is a"
							+ " java.lang.String, not a DataSource (DataSource beans: [primary, cachePrimary,"
							+ " cacheReplica])"));
		this.contextRunner.withBean("notADataSource", String.class, () -> "x")
			.withPropertyValues("app.caches.default.options.read-datasource=notADataSource")
			.run((context) -> assertThat(analysis(context))
				.startsWith("Invalid cache configuration: app.caches.default.options.read-datasource: bean"
						+ " 'notADataSource' is a java.lang.String, not a DataSource"));
		this.contextRunner.withPropertyValues("app.caches.default.options.datasource=cachePrimry")
			.run((context) -> assertThat(analysis(context))
				.startsWith("Invalid cache configuration: app.caches.default.options.datasource: no DataSource bean"
						+ " named 'cachePrimry' (DataSource beans: [primary, cachePrimary, cacheReplica])"));
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
					CacheFrameworkAutoConfiguration.class))
			.withBean("one", DataSource.class, () -> DataSources.h2("autoconfig-one"))
			.withBean("two", DataSource.class, () -> DataSources.h2("autoconfig-two"))
			.withPropertyValues("app.caches.default.backend=database", "app.caches.default.location=my_cache_table")
			.run((context) -> assertThat(analysis(context))
				.startsWith("Invalid cache configuration: app.caches.default.options.datasource: there are several"
						+ " DataSource beans and none is primary"));
	}

	private static String analysis(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new InvalidCacheConfigurationFailureAnalyzer(null).analyze(context.getStartupFailure());
		assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
		return analysis.getDescription();
	}

	@Test
	void unknownOptionAndBadTimeoutFail() {
		this.contextRunner.withPropertyValues("app.caches.default.options.datasorce=x")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.datasorce"));
		this.contextRunner.withPropertyValues("app.caches.default.options.query-timeout=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.query-timeout"));
	}

	@Test
	void outOfRangeOptionsFailNamingTheProperty() {
		Map<String, String> bad = new LinkedHashMap<>();
		bad.put("connect-timeout", "100ms");
		bad.put("pool-size", "-1");
		bad.put("timeout-threshold", "0");
		bad.put("reconnect-delay", "0s");
		bad.put("size-refresh-interval", "-1s");
		bad.put("max-value-bytes", "0");
		bad.put("cull-check-interval", "-1");
		bad.forEach((option, value) -> this.contextRunner
			.withPropertyValues("app.caches.default.options." + option + "=" + value)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options." + option)));
		this.contextRunner.withPropertyValues("app.caches.default.options.pool-size=four")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.pool-size"));
	}

	@Test
	void aHikariDataSourceGivesTheCacheItsOwnPoolUnlessPoolSizeIsZero() {
		ApplicationContextRunner hikari = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DatabaseCacheBackendAutoConfiguration.class,
					CacheFrameworkAutoConfiguration.class))
			.withBean("hikari", DataSource.class, () -> {
				HikariDataSource dataSource = new HikariDataSource();
				dataSource.setJdbcUrl("jdbc:h2:mem:autoconfig-hikari;DB_CLOSE_DELAY=-1");
				return dataSource;
			})
			.withPropertyValues("app.caches.default.backend=database", "app.caches.default.location=hikari_cache",
					"app.caches.default.options.connect-timeout=5s", "app.caches.default.options.pool-size=2",
					"app.caches.default.options.size-refresh-interval=5");
		hikari.run((context) -> {
			DatabaseCacheBackend cache = (DatabaseCacheBackend) context.getBean(Caches.class).get("default");
			// createcachetable still names the application's DataSource bean.
			assertThat(cache.writeDataSource()).isSameAs(context.getBean("hikari"));
			assertThat(cache.inspection().inspectionDetails()).extractingByKey("connections")
				.asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("source", "own pool")
				.containsEntry("circuit", "closed");
			cache.createTable();
			cache.set("k", "v");
			assertThat(cache.get("k")).isEqualTo("v");
		});
		hikari.withPropertyValues("app.caches.default.options.pool-size=0")
			.run((context) -> assertThat(((DatabaseCacheBackend) context.getBean(Caches.class).get("default"))
				.inspection().inspectionDetails()).extractingByKey("connections")
				.asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("source", "application DataSource"));
	}

	@Test
	void withoutSpringJdbcTheBackendIsUnavailable() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("spring-jdbc"));
	}

	@Configuration(proxyBeanMethods = false)
	static class DataSources {

		@Bean
		@Primary
		DataSource primary() {
			return h2("autoconfig-primary");
		}

		@Bean
		DataSource cachePrimary() {
			return h2("autoconfig-cache-primary");
		}

		@Bean
		DataSource cacheReplica() {
			return h2("autoconfig-cache-replica");
		}

		private static DataSource h2(String name) {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:mem:" + name);
			return dataSource;
		}

	}

}
