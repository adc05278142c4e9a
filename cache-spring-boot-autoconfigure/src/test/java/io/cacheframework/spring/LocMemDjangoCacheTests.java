package io.cacheframework.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Spring's cache contract on local memory.
 */
@SpringBootTest(classes = SpringCacheTestApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "app.caches.default.location=spring-contract-default",
				"app.caches.testCache.location=spring-contract-alias" })
class LocMemDjangoCacheTests extends AbstractDjangoCacheTests {

}
