package io.cacheframework.backend.database;

import io.cacheframework.actuate.DjangoCacheMeterBinder;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.spring.DjangoCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cache.size} is registered even when the meters are bound before the cache table exists (Boot binds cache
 * meters while the context starts, before {@code create-tables} runs), and follows the table afterwards.
 */
class DatabaseCacheMetersTests {

	@Test
	void sizeGaugeSurvivesBindingBeforeTheTableExists() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:meters-before-table;DB_CLOSE_DELAY=-1");
		try (DatabaseCacheBackend backend = new DatabaseCacheBackend(
				CacheSettings.builder("default").location("meters_cache").build(), dataSource)) {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			DjangoCache cache = new DjangoCache("default", backend);
			new DjangoCacheMeterBinder(cache, Tags.empty()).bindTo(registry);
			Gauge size = registry.find("cache.size").tag("cache", "default").gauge();
			assertThat(size).isNotNull();
			assertThat(size.value()).isZero();
			backend.createTable();
			cache.put("k", "v");
			assertThat(size.value()).isEqualTo(1);
			assertThat(registry.find("cache.puts").functionCounter().count()).isEqualTo(1);
		}
	}

}
