package io.cacheframework.autoconfigure;

import java.util.Arrays;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * When the application is started with {@code createcachetable}, run it as a non-web application: the command
 * creates tables and exits, and must not start a server (nor fail because a running instance holds its port).
 */
class CreateCacheTableEnvironmentPostProcessor implements EnvironmentPostProcessor {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		PropertySource<?> commandLine = environment.getPropertySources()
			.get(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME);
		if (commandLine == null) {
			return;
		}
		Object nonOptionArgs = commandLine.getProperty(CommandLinePropertySource.DEFAULT_NON_OPTION_ARGS_PROPERTY_NAME);
		if (nonOptionArgs instanceof String args
				&& Arrays.asList(args.split(",")).contains(CreateCacheTableCommand.COMMAND)) {
			environment.getPropertySources()
				.addFirst(new MapPropertySource("createcachetable",
						Map.of("spring.main.web-application-type", "none")));
		}
	}

}
