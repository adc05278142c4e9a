package io.cacheframework.autoconfigure;

import java.util.List;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A caller's {@code @Transactional} work on PostgreSQL is unaffected by cache calls inside it, failing ones
 * included: the cache never runs on the caller's connection, so a cache error cannot abort the transaction
 * (SQLState 25P02) and a rollback does not undo cache writes. Requires PostgreSQL on 127.0.0.1:5432.
 */
class DatabaseCacheTransactionTests {

	private static final String SUFFIX = String.valueOf(ProcessHandle.current().pid());

	private static final String CACHE_TABLE = "txcache_" + SUFFIX;

	private static final String MISSING_TABLE = "txmissing_" + SUFFIX;

	private static final String BUSINESS_TABLE = "txbusiness_" + SUFFIX;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() {
		// Spring MVC is on the test classpath (web tests): this application is not a web application.
		context = new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test",
					"spring.datasource.username=postgres", "spring.datasource.hikari.connection-timeout=5000",
					"app.caches.default.backend=database", "app.caches.default.location=" + CACHE_TABLE,
					"app.caches.broken.backend=database", "app.caches.broken.location=" + MISSING_TABLE,
					"app.cache-database.create-tables=true", "spring.main.banner-mode=off",
					"spring.main.log-startup-info=false")
			.run();
		JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
		jdbc.execute("DROP TABLE " + MISSING_TABLE);
		jdbc.execute("CREATE TABLE " + BUSINESS_TABLE + " (id varchar(50) PRIMARY KEY)");
	}

	@AfterAll
	static void stop() {
		JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
		jdbc.execute("DROP TABLE IF EXISTS " + BUSINESS_TABLE);
		jdbc.execute("DROP TABLE IF EXISTS " + CACHE_TABLE);
		context.close();
	}

	@Test
	void commitIsUnaffectedByFailingCacheCalls() {
		Business business = context.getBean(Business.class);
		long errorsBefore = broken().statistics().errors();
		business.work("commit", false);
		assertThat(businessRows()).contains("commit", "commit-after");
		assertThat(cache().get("commit")).isEqualTo("cached in the transaction");
		assertThat(broken().statistics().errors()).isGreaterThanOrEqualTo(errorsBefore + 3);
	}

	@Test
	void rollbackIsUnaffectedAndDoesNotUndoCacheWrites() {
		Business business = context.getBean(Business.class);
		assertThatIllegalStateException().isThrownBy(() -> business.work("rollback", true));
		assertThat(businessRows()).doesNotContain("rollback", "rollback-after");
		// Cache writes are committed on their own connection at once, so the rollback does not undo them.
		assertThat(cache().get("rollback")).isEqualTo("cached in the transaction");
	}

	private static List<String> businessRows() {
		return context.getBean(JdbcTemplate.class).queryForList("SELECT id FROM " + BUSINESS_TABLE, String.class);
	}

	private static CacheBackend cache() {
		return context.getBean(Caches.class).get("default");
	}

	private static DatabaseCacheBackend broken() {
		return (DatabaseCacheBackend) context.getBean(Caches.class).get("broken");
	}

	static class Business {

		private final JdbcTemplate jdbc;

		private final Caches caches;

		Business(JdbcTemplate jdbc, Caches caches) {
			this.jdbc = jdbc;
			this.caches = caches;
		}

		@Transactional
		public void work(String id, boolean fail) {
			this.jdbc.update("INSERT INTO " + BUSINESS_TABLE + " (id) VALUES (?)", id);
			CacheBackend cache = this.caches.get("default");
			CacheBackend broken = this.caches.get("broken");
			cache.set(id, "cached in the transaction");
			// Each of these fails in the database (the table is gone) and is a miss or a failed write.
			broken.set("x", "y");
			assertThat(broken.get("x")).isNull();
			assertThat(broken.add("x", "y")).isFalse();
			// Had a failed statement run on this transaction's connection, PostgreSQL would now refuse every
			// statement with "current transaction is aborted" (25P02).
			this.jdbc.update("INSERT INTO " + BUSINESS_TABLE + " (id) VALUES (?)", id + "-after");
			assertThat(cache.get(id)).isEqualTo("cached in the transaction");
			if (fail) {
				throw new IllegalStateException("business failure");
			}
		}

	}

	@SpringBootConfiguration
	@EnableTransactionManagement
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
			JdbcTemplateAutoConfiguration.class, DatabaseCacheBackendAutoConfiguration.class,
			CacheFrameworkAutoConfiguration.class })
	static class TestApplication {

		@Bean
		Business business(JdbcTemplate jdbc, Caches caches) {
			return new Business(jdbc, caches);
		}

	}

}
