package io.cacheframework.autoconfigure;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a person sees when startup fails on a cache property: a whole application started from a YAML file, as a
 * user starts theirs, and the failure report Spring Boot prints.
 *
 * <p>In an application the library's jar comes after Spring Boot's on the class path, so Boot's failure analyzers
 * are asked first. The tests reproduce that order (the library's {@code spring.factories} last): before our
 * analyzer ran first, a misspelt data source bean was reported as a bean the page cache needed, and a value that
 * does not convert as Boot's bind failure of a property named {@code options.query-timeout}.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidCacheConfigurationFailureAnalyzerTests {

	@Test
	void unknownPropertyIsReportedWithItsFileLineAndTheValidNames(CapturedOutput output) {
		start("config-errors/misspelt.yml");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid cache configuration: app.caches.default.timout: not a property (did you mean timeout?)")
			.contains("Property: app.caches.default.timout")
			.contains("Value: \"30\"")
			.contains("Origin: class path resource [config-errors/misspelt.yml] - 4:15")
			.contains("Valid names in its place: backend, key-function, key-prefix, location, options, timeout, "
					+ "version.");
	}

	@Test
	void misspeltDataSourceIsBlamedOnTheProperty(CapturedOutput output) {
		start("config-errors/datasource.yml");
		String report = output.toString().substring(output.toString().indexOf("APPLICATION FAILED TO START"));
		assertThat(report)
			.contains("Invalid cache configuration: app.caches.default.options.datasource: no DataSource bean named "
					+ "'cachePrimry'")
			.contains("Origin: class path resource [config-errors/datasource.yml] - 10:21")
			.contains("Correct the property 'app.caches.default.options.datasource'")
			.doesNotContain("required a bean")
			.doesNotContain("pageCache");
	}

	@Test
	void optionThatDoesNotConvertIsBlamedOnTheProperty(CapturedOutput output) {
		start("config-errors/bind.yml");
		String report = output.toString().substring(output.toString().indexOf("APPLICATION FAILED TO START"));
		assertThat(report)
			.contains("Invalid cache configuration: app.caches.default.options.query-timeout: 'soon' is not valid")
			.contains("Origin: class path resource [config-errors/bind.yml] - 10:24")
			.doesNotContain("Failed to bind properties under 'options.query-timeout'");
	}

	@Test
	void secretsAreMasked() {
		MockEnvironment environment = new MockEnvironment().withProperty("app.caches.default.options.password", "s3")
			.withProperty("app.caches.default.location", "redis://user:s3cret@host:6379/0");
		InvalidCacheConfigurationFailureAnalyzer analyzer = new InvalidCacheConfigurationFailureAnalyzer(environment);
		String password = analyzer
			.analyze(new InvalidCacheConfigurationException("app.caches.default.options.password", "wrong"))
			.getDescription();
		String location = analyzer
			.analyze(new InvalidCacheConfigurationException("app.caches.default.location", "wrong"))
			.getDescription();
		assertThat(password).contains("Value: \"******\"").doesNotContain("s3");
		assertThat(location).contains("Value: \"redis://user:******@host:6379/0\"").doesNotContain("s3cret");
	}

	@Test
	void withoutAnEnvironmentTheMessageStillNamesTheProperty() {
		InvalidCacheConfigurationFailureAnalyzer analyzer = new InvalidCacheConfigurationFailureAnalyzer(null);
		assertThat(analyzer
			.analyze(new InvalidCacheConfigurationException("app.caches.default.timeout", "negative", List.of(), null))
			.getDescription()).contains("Property: app.caches.default.timeout").doesNotContain("Origin");
	}

	private static void start(String configFile) {
		ClassLoader classLoader = new LibraryFactoriesLast(InvalidCacheConfigurationFailureAnalyzerTests.class
			.getClassLoader());
		SpringApplication application = new SpringApplication(new DefaultResourceLoader(classLoader),
				FailingApplication.class);
		assertThatException().isThrownBy(() -> application.run("--spring.config.location=classpath:" + configFile,
				"--server.port=0", "--spring.main.banner-mode=off"));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class FailingApplication {

	}

	/**
	 * Lists this library's {@code META-INF/spring.factories} after every other one, as a jar class path does.
	 */
	static final class LibraryFactoriesLast extends ClassLoader {

		LibraryFactoriesLast(ClassLoader parent) {
			super(parent);
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			List<URL> urls = Collections.list(super.getResources(name));
			if (name.equals("META-INF/spring.factories")) {
				List<URL> library = new ArrayList<>();
				urls.removeIf((url) -> url.toString().contains("cache-spring-boot-autoconfigure") && library.add(url));
				assertThat(library).as("the library's own spring.factories").hasSize(1);
				urls.addAll(library);
			}
			return Collections.enumeration(urls);
		}

	}

}
