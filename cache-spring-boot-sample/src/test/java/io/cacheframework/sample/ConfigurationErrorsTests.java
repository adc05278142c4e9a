package io.cacheframework.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The sample started with a mistake in its YAML, as a new user makes one: the failure report names the property,
 * the file and line it was written on, and what would have been valid. Here the library comes from its jar, after
 * Spring Boot's on the class path, as in any application.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationErrorsTests {

	@Test
	void misspeltPropertyIsReportedWhereItWasWritten(CapturedOutput output) {
		assertThat(failureReport(output, "typo"))
			.contains("Invalid cache configuration: app.caches.default.timout: not a property (did you mean timeout?)")
			.contains("Origin: class path resource [application-typo.yml] - 5:15")
			.contains("Valid names in its place: backend, key-function, key-prefix, location, options, timeout, "
					+ "version.");
	}

	@Test
	void misspeltDataSourceIsBlamedOnItsProperty(CapturedOutput output) {
		assertThat(failureReport(output, "datasource-typo"))
			.contains("Invalid cache configuration: app.caches.database.options.datasource: no DataSource bean named "
					+ "'cachePrimry'")
			.contains("Origin: class path resource [application-datasource-typo.yml] - 6:21")
			.doesNotContain("required a bean")
			.doesNotContain("pageCache");
	}

	private static String failureReport(CapturedOutput output, String profile) {
		assertThatException().isThrownBy(() -> SpringApplication.run(SampleApplication.class,
				"--spring.profiles.active=" + profile, "--server.port=0", "--spring.main.banner-mode=off"));
		String all = output.toString();
		int report = all.indexOf("APPLICATION FAILED TO START");
		assertThat(report).as("failure report").isNotNegative();
		return all.substring(report);
	}

}
