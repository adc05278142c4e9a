package io.cacheframework.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.cacheframework.backend.memcached.MemcachedServerAccess;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.ValueNotStorableException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An alias may be spelt as a Spring user names things ({@code testCache}), dashed ({@code test-cache}) or as a
 * Python name ({@code test_cache}), with every backend and its options; memcached runs against a real server.
 * Before the options were bound under a neutral name, {@code testCache} with {@code backend: memcached} could not
 * start: "Configuration property name 'app.caches.testCache.options' is not valid".
 */
class AliasSpellingTests {

	private static final AtomicInteger tables = new AtomicInteger();

	private static MemcachedServerAccess memcached;

	@TempDir
	static Path directory;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(libraryAutoConfigurations()))
		.withUserConfiguration(H2DataSource.class)
		.withPropertyValues("app.caches.default.backend=locmem", "app.cache-database.create-tables=true");

	@BeforeAll
	static void startMemcached() {
		memcached = MemcachedServerAccess.start();
	}

	@AfterAll
	static void stopMemcached() {
		memcached.close();
	}

	static Stream<Arguments> aliasesAndBackends() {
		List<Arguments> arguments = new ArrayList<>();
		for (String alias : List.of("testCache", "test-cache", "test_cache")) {
			for (String backend : List.of("locmem", "dummy", "filesystem", "database", "memcached")) {
				arguments.add(Arguments.of(alias, backend));
			}
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0} on {1}")
	@MethodSource("aliasesAndBackends")
	void aliasStartsWithItsOptionsBound(String alias, String backend) {
		this.contextRunner.withPropertyValues(properties(alias, backend, false)).run((context) -> {
			assertThat(context).hasNotFailed();
			CacheBackend cache = context.getBean(Caches.class).get(alias);
			assertThat(cache.backendName()).isEqualTo(backend);
			assertThat(cache.settings().alias()).isEqualTo(alias);
			assertThat(context.getBean(alias + "CacheBackend")).isSameAs(cache);
			cache.set("small", "v");
			if (backend.equals("dummy")) {
				assertThat(cache.get("small")).isNull();
				return;
			}
			assertThat(cache.get("small")).isEqualTo("v");
			switch (backend) {
				// max-value-bytes: 256 is in force, so the options were bound at this alias.
				case "filesystem", "database" -> assertThatExceptionOfType(ValueNotStorableException.class)
					.isThrownBy(() -> cache.set("large", "x".repeat(4096)))
					.withMessageContaining("256");
				case "locmem" -> {
					// max-entries: 3 with cull-frequency: 0 clears the cache when it is full.
					for (int i = 0; i < 5; i++) {
						cache.set("k" + i, i);
					}
					assertThat(cache.settings().maxEntries()).isEqualTo(3);
					assertThat(cache.getMany(List.of("small", "k0", "k1", "k2", "k3", "k4"))).hasSizeLessThan(4);
				}
				default -> {
					cache.set("large", "x".repeat(4096));
					assertThat(cache.get("large")).isEqualTo("x".repeat(4096));
				}
			}
		});
	}

	@ParameterizedTest(name = "{0} on {1}")
	@MethodSource("aliasesAndBackends")
	void badOptionValueNamesTheAliasAsWritten(String alias, String backend) {
		this.contextRunner.withPropertyValues(properties(alias, backend, true)).run((context) -> {
			assertThat(context).hasFailed();
			InvalidCacheConfigurationException failure = null;
			for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
				if (cause instanceof InvalidCacheConfigurationException invalid) {
					failure = invalid;
					break;
				}
			}
			assertThat(failure).isNotNull();
			assertThat(failure.getProperty()).isEqualTo("app.caches." + alias + ".options." + badOption(backend));
			assertThat(failure).hasMessageContaining("soon");
		});
	}

	private static String[] properties(String alias, String backend, boolean badValue) {
		String prefix = "app.caches." + alias;
		List<String> properties = new ArrayList<>(List.of(prefix + ".backend=" + backend));
		switch (backend) {
			case "locmem" -> properties.addAll(List.of(prefix + ".location=alias-" + alias,
					prefix + ".options.max-entries=3", prefix + ".options.cull-frequency=0"));
			case "dummy" -> properties.add(prefix + ".options.max-entries=3");
			case "filesystem" -> properties.addAll(List.of(prefix + ".location=" + directory.resolve(alias),
					prefix + ".options.max-value-bytes=256", prefix + ".options.sync-writes=false"));
			case "database" -> properties.addAll(List.of(prefix + ".location=alias_spelling_" + tables.incrementAndGet(),
					prefix + ".options.max-value-bytes=256", prefix + ".options.query-timeout=3s"));
			case "memcached" -> properties.addAll(List.of(prefix + ".location=" + memcached.location(),
					prefix + ".options.operation-timeout=400ms", prefix + ".options.compression-threshold=1KB"));
			default -> throw new IllegalArgumentException(backend);
		}
		if (badValue) {
			properties.add(prefix + ".options." + badOption(backend) + "=soon");
		}
		return properties.toArray(String[]::new);
	}

	private static String badOption(String backend) {
		return switch (backend) {
			case "filesystem" -> "sync-writes";
			case "database" -> "query-timeout";
			case "memcached" -> "operation-timeout";
			default -> "max-entries";
		};
	}

	/**
	 * Every auto-configuration of the library, found as Spring Boot finds them.
	 */
	static Class<?>[] libraryAutoConfigurations() {
		ClassLoader classLoader = AliasSpellingTests.class.getClassLoader();
		return ImportCandidates.load(AutoConfiguration.class, classLoader)
			.getCandidates()
			.stream()
			.filter((name) -> name.startsWith("io.cacheframework."))
			.map((name) -> ClassUtils.resolveClassName(name, classLoader))
			.toArray(Class<?>[]::new);
	}

	@Configuration(proxyBeanMethods = false)
	static class H2DataSource {

		@Bean
		DataSource dataSource() {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:mem:alias-spelling;DB_CLOSE_DELAY=-1");
			return dataSource;
		}

	}

}
