package io.cacheframework.autoconfigure;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSerialization;
import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSpec;
import org.junit.jupiter.api.Test;

import com.jayway.jsonpath.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property a user can set has IDE metadata with a description, nested map properties included (the
 * configuration processor alone only describes {@code app.caches} as a map).
 */
class ConfigurationMetadataTests {

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

}
