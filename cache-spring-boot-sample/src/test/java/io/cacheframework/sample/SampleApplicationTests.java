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
	void indexStoresAndReadsBackTheSeedExample() {
		assertThat(this.mvc.get().uri("/")).hasStatusOk().bodyText().contains("Hello, guyan!").contains(":1:username");
		assertThat(this.cache.get("username")).isEqualTo("guyan");
		assertThat(this.caches.aliases()).contains("default", "sessions");
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
