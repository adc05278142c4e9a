package io.cacheframework.sample;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
@AutoConfigureMockMvc
class SampleApplicationTests {

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@Autowired
	CacheBackend cache;

	@Autowired
	GreetingService greetings;

	@Test
	void indexStoresAndReadsBackTheUsername() {
		assertThat(this.mvc.get().uri("/")).hasStatusOk().bodyText().contains("Hello, guyan!").contains(":1:username");
		assertThat(this.cache.get("username")).isEqualTo("guyan");
		assertThat(this.caches.aliases()).contains("default", "sessions", "database", "files", "template_fragments");
	}

	@Test
	void embeddedDatabaseCacheWorksWithoutAManualStep() {
		// The table was created at startup (app.cache-database.create-tables) in the embedded H2 database.
		CacheBackend database = this.caches.get("database");
		database.set("answer", 42);
		assertThat(database.get("answer")).isEqualTo(42);
		assertThat(database.incr("answer")).isEqualTo(43);
	}

	@Test
	void temporaryDirectoryCacheWorksWithoutAManualStep() {
		CacheBackend files = this.caches.get("files");
		files.set("greeting", java.util.List.of("hello", "world"));
		assertThat(files.get("greeting")).isEqualTo(java.util.List.of("hello", "world"));
	}

	@Test
	void cacheableServiceComputesOncePerName() {
		int before = this.greetings.computedCount();
		assertThat(this.mvc.get().uri("/greet/bob")).hasStatusOk().bodyText().startsWith("Hello bob #");
		assertThat(this.mvc.get().uri("/greet/bob")).hasStatusOk();
		assertThat(this.greetings.computedCount()).isEqualTo(before + 1);
		this.greetings.forgetAll();
		assertThat(this.mvc.get().uri("/greet/bob")).hasStatusOk();
		assertThat(this.greetings.computedCount()).isEqualTo(before + 2);
	}

	@Test
	void actuatorListsTheCaches() {
		assertThat(this.mvc.get().uri("/actuator/caches")).hasStatusOk()
			.bodyJson()
			.extractingPath("$.cacheManagers.cacheManager.caches")
			.asMap()
			.containsKeys("default", "sessions");
	}

}
