package io.cacheframework.backend.database;

import io.cacheframework.spring.AbstractDjangoCacheTests;
import io.cacheframework.spring.SpringCacheTestApplication;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Spring's cache contract on the database backend (H2), each alias in a table of its own.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "spring.datasource.url=jdbc:h2:mem:spring_contract;DB_CLOSE_DELAY=-1",
				"app.cache-database.create-tables=true", "app.caches.default.backend=database",
				"app.caches.default.location=spring_contract_default", "app.caches.testCache.backend=database",
				"app.caches.testCache.location=spring_contract_alias" })
class DatabaseDjangoCacheTests extends AbstractDjangoCacheTests {

}
