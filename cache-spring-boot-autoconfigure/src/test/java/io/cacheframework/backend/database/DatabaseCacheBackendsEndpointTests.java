package io.cacheframework.backend.database;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.actuate.AbstractCacheBackendsEndpointTests;
import io.cacheframework.actuate.ObservabilityTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint, health and meters on the database backend (H2): keys come from
 * {@code SELECT cache_key, OCTET_LENGTH(value), expires ... LIMIT n}.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, AbstractCacheBackendsEndpointTests.SHOW_DETAILS,
				"spring.datasource.url=jdbc:h2:mem:observability;DB_CLOSE_DELAY=-1",
				"app.caches.default.backend=database", "app.caches.default.location=observability_cache",
				"app.cache-database.create-tables=true" })
class DatabaseCacheBackendsEndpointTests extends AbstractCacheBackendsEndpointTests {

	@Override
	protected String expectedBackend() {
		return "database";
	}

	@Override
	protected String settingLocation() {
		return "observability_cache";
	}

	@Override
	protected long expectedSizeOfGuyan() {
		// A one-byte type marker, then the UTF-8 text.
		return 6;
	}

	@Test
	void tableIsReportedInStatisticsAndHealth() {
		cache().set("row", "x");
		String json = body(this.mvc.get().uri("/actuator/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(json, "$.stats.table")).isEqualTo("observability_cache");
		assertThat(((Number) JsonPath.read(json, "$.stats.entries")).longValue()).isPositive();
		String health = body(this.mvc.get().uri("/actuator/health/cachebackends/default").exchange());
		assertThat((String) JsonPath.read(health, "$.details.component")).isEqualTo("table observability_cache");
		assertThat((String) JsonPath.read(health, "$.details.database")).isEqualTo("h2");
	}

}
