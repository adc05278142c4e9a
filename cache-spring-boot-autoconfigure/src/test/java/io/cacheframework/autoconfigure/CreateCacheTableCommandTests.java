package io.cacheframework.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code createcachetable} and {@code app.cache-database.create-tables}, run as real Spring Boot applications on
 * H2 with a write data source ({@code cachePrimary}) and a read replica ({@code cacheReplica}), as in Django's
 * router example.
 */
class CreateCacheTableCommandTests {

	private static final AtomicInteger databases = new AtomicInteger();

	private static final AtomicInteger exitStatus = new AtomicInteger(-1);

	private final String suffix = ProcessHandle.current().pid() + "_" + databases.incrementAndGet();

	private final DataSource primary = h2("primary" + this.suffix);

	private final DataSource replica = h2("replica" + this.suffix);

	private final DataSource other = h2("other" + this.suffix);

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void createsMissingTablesOnTheWriteDataSourceOnlyAndIsIdempotent() {
		int status = run("createcachetable");
		assertThat(status).isZero();
		assertThat(stdout()).contains("Cache table 'my_cache_table' created.",
				"Cache table 'other_cache_table' created.");
		assertThat(tableExists(this.primary, "my_cache_table")).isTrue();
		assertThat(tableExists(this.replica, "my_cache_table")).isFalse();
		assertThat(tableExists(this.other, "other_cache_table")).isTrue();
		this.out.reset();
		assertThat(run("createcachetable")).isZero();
		assertThat(stdout()).contains("Cache table 'my_cache_table' already exists.",
				"Cache table 'other_cache_table' already exists.")
			.doesNotContain("created");
	}

	@Test
	void dryRunPrintsTheSqlAndCreatesNothing() {
		assertThat(run("createcachetable", "--dry-run")).isZero();
		assertThat(stdout()).contains("CREATE TABLE \"my_cache_table\" (\n"
				+ "    \"cache_key\" varchar(255) NOT NULL PRIMARY KEY,\n" + "    \"value\" blob NOT NULL,\n"
				+ "    \"int_value\" bigint,\n" + "    \"expires\" bigint NOT NULL\n" + ");\n"
				+ "CREATE INDEX \"my_cache_table_expires\" ON \"my_cache_table\" (\"expires\");\n");
		assertThat(tableExists(this.primary, "my_cache_table")).isFalse();
		assertThat(tableExists(this.other, "other_cache_table")).isFalse();
	}

	@Test
	void databaseOptionLimitsTheCommandToOneDataSource() {
		assertThat(run("createcachetable", "--database=otherDb")).isZero();
		assertThat(stdout()).contains("Cache table 'other_cache_table' created.").doesNotContain("my_cache_table");
		assertThat(tableExists(this.other, "other_cache_table")).isTrue();
		assertThat(tableExists(this.primary, "my_cache_table")).isFalse();
		assertThat(run("createcachetable", "--database=nosuch")).isEqualTo(2);
		assertThat(stderr()).contains("Unknown --database 'nosuch'", "cachePrimary", "otherDb");
	}

	@Test
	void failureExitsNonZeroNamingTheTable() {
		// H2 index names are per schema: an index already named like ours makes CREATE INDEX fail.
		execute(this.primary, "CREATE TABLE \"blocker\" (\"x\" int)");
		execute(this.primary, "CREATE INDEX \"my_cache_table_expires\" ON \"blocker\" (\"x\")");
		assertThat(run("createcachetable")).isEqualTo(1);
		assertThat(stderr()).contains("Cache table 'my_cache_table' could not be created.\nThe error was: ");
		assertThat(stdout()).contains("Cache table 'other_cache_table' created.");
	}

	@Test
	void createTablesPropertyCreatesThemAtStartupAndTheCacheReadsFromTheReplica() throws SQLException {
		try (ConfigurableApplicationContext context = application()
			.properties("app.cache-database.create-tables=true")
			.run()) {
			assertThat(tableExists(this.primary, "my_cache_table")).isTrue();
			assertThat(tableExists(this.replica, "my_cache_table")).isFalse();
			CacheBackend cache = context.getBean(Caches.class).get("default");
			assertThat(cache).isInstanceOf(DatabaseCacheBackend.class);
			assertThat(((DatabaseCacheBackend) cache).readDataSource()).isSameAs(this.replica);
			cache.set("k", "written");
			// The replica has no table yet: reads miss even though the primary has the row.
			assertThat(cache.get("k")).isNull();
			assertThat(cache.add("k", "again")).isFalse();
			((DatabaseCacheBackend) cache).createTableStatements().forEach((sql) -> execute(this.replica, sql));
			execute(this.replica, "INSERT INTO \"my_cache_table\" SELECT * FROM \"my_cache_table\" WHERE 1 = 0");
			CacheBackend direct = new DatabaseCacheBackend(
					io.cacheframework.core.CacheSettings.builder("replica").location("my_cache_table").build(),
					this.replica);
			direct.set("k", "from replica");
			assertThat(cache.get("k")).isEqualTo("from replica");
			assertThat(cache.hasKey("k")).isTrue();
			assertThat(cache.getMany(List.of("k"))).containsEntry("k", "from replica");
			assertThat(context.getEnvironment().getProperty("spring.main.web-application-type")).isNull();
		}
	}

	@Test
	void commandRunsWithoutAWebServer() {
		assertThat(run("createcachetable", "--dry-run")).as(this::stderr).isZero();
		assertThat(stdout()).contains("CREATE TABLE");
		try (ConfigurableApplicationContext context = application().run("createcachetable", "--dry-run")) {
			assertThat(context.getEnvironment().getProperty("spring.main.web-application-type")).isEqualTo("none");
		}
	}

	private int run(String... args) {
		exitStatus.set(-1);
		PrintStream originalOut = System.out;
		PrintStream originalErr = System.err;
		System.setOut(new PrintStream(this.out, true, StandardCharsets.UTF_8));
		System.setErr(new PrintStream(this.err, true, StandardCharsets.UTF_8));
		try {
			application().run(args).close();
		}
		finally {
			System.setOut(originalOut);
			System.setErr(originalErr);
		}
		return exitStatus.get();
	}

	private SpringApplicationBuilder application() {
		TestApplication.dataSources = List.of(this.primary, this.replica, this.other);
		// Spring MVC is on the test classpath (web tests): this application is not a web application.
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE).properties("app.caches.default.backend=database",
				"app.caches.default.location=my_cache_table", "app.caches.default.options.datasource=cachePrimary",
				"app.caches.default.options.read-datasource=cacheReplica", "app.caches.second.backend=database",
				"app.caches.second.location=my_cache_table", "app.caches.other.backend=database",
				"app.caches.other.location=other_cache_table", "app.caches.other.options.datasource=otherDb",
				"spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.root=warn");
	}

	private String stdout() {
		return this.out.toString(StandardCharsets.UTF_8);
	}

	private String stderr() {
		return this.err.toString(StandardCharsets.UTF_8);
	}

	private static DataSource h2(String name) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
		dataSource.setUser("sa");
		return dataSource;
	}

	private static boolean tableExists(DataSource dataSource, String table) {
		try (Connection connection = dataSource.getConnection()) {
			try (var rs = connection.getMetaData().getTables(null, null, table, null)) {
				return rs.next();
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void execute(DataSource dataSource, String sql) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DatabaseCacheBackendAutoConfiguration.class, CacheFrameworkAutoConfiguration.class })
	static class TestApplication {

		static List<DataSource> dataSources = new ArrayList<>();

		@Bean
		@Primary
		DataSource cachePrimary() {
			return dataSources.get(0);
		}

		@Bean
		DataSource cacheReplica() {
			return dataSources.get(1);
		}

		@Bean
		DataSource otherDb() {
			return dataSources.get(2);
		}

		@Bean
		CreateCacheTableCommand.ExitHook testExitHook() {
			return exitStatus::set;
		}

	}

}
