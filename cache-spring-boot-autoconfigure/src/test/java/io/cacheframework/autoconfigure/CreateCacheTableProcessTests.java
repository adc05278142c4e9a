package io.cacheframework.autoconfigure;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code createcachetable} in a real JVM: the process ends by itself, with status 0 when the tables exist or were
 * created and non-zero, naming the table, when one cannot be created (idempotency and --dry-run are covered in
 * one JVM by {@link CreateCacheTableCommandTests}).
 */
class CreateCacheTableProcessTests {

	@TempDir
	Path directory;

	@Test
	void exitsTheJvmWithTheCommandsStatus() throws Exception {
		String database = this.directory.resolve("db").toString();
		Result created = run(database, "createcachetable");
		assertThat(created.status).as(created.output).isZero();
		assertThat(created.output).contains("Cache table 'process_cache' created.")
			.doesNotContain("APPLICATION KEPT RUNNING");
		Result failed = run(database + "-bad", "createcachetable", "--app.caches.default.location=broken_cache",
				"--break-index=true");
		assertThat(failed.status).as(failed.output).isEqualTo(1);
		assertThat(failed.output).contains("Cache table 'broken_cache' could not be created.");
	}

	private Result run(String database, String... args) throws Exception {
		Path output = Files.createTempFile(this.directory, "out", ".txt");
		List<String> command = new java.util.ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), "-Dprocess.database=" + database,
				ProcessApplication.class.getName()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the command ends the JVM by itself").isTrue();
		return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
	}

	private record Result(int status, String output) {
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DatabaseCacheBackendAutoConfiguration.class, CacheFrameworkAutoConfiguration.class })
	static class ProcessApplication {

		public static void main(String[] args) throws Exception {
			if (List.of(args).contains("--break-index=true")) {
				// An index already named like the cache's makes CREATE INDEX fail.
				try (var connection = dataSourceFor(System.getProperty("process.database")).getConnection(); var statement = connection.createStatement()) {
					statement.execute("CREATE TABLE \"blocker\" (\"x\" int)");
					statement.execute("CREATE INDEX \"broken_cache_expires\" ON \"blocker\" (\"x\")");
				}
			}
			SpringApplication application = new SpringApplication(ProcessApplication.class);
			application.setDefaultProperties(java.util.Map.of("app.caches.default.backend", "database",
					"app.caches.default.location", "process_cache", "spring.main.banner-mode", "off",
					"spring.main.log-startup-info", "false", "logging.level.root", "warn"));
			application.run(args);
			// Reached only if the command did not exit: a normal application would go on here.
			System.out.println("APPLICATION KEPT RUNNING");
			Thread.sleep(Long.MAX_VALUE);
		}

		@Bean
		DataSource dataSource() {
			return dataSourceFor(System.getProperty("process.database"));
		}

		private static DataSource dataSourceFor(String path) {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:file:" + path.replace(File.separatorChar, '/'));
			dataSource.setUser("sa");
			return dataSource;
		}

	}

}
