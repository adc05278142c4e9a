package io.cacheframework.actuate;

import com.jayway.jsonpath.JsonPath;
import io.cacheframework.web.CachePage;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseBody;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page cache and the fragment cache count their own hits and misses: {@code cache.page.gets} and
 * {@code cache.fragment.gets}, tagged with the alias and the result.
 */
@SpringBootTest(classes = CacheLayerMetricsTests.LayerApplication.class,
		properties = { AbstractCacheBackendsEndpointTests.EXPOSE_ALL, "app.caches.default.location=layer-metrics" })
@AutoConfigureMockMvc
class CacheLayerMetricsTests {

	@Autowired
	MockMvcTester mvc;

	@Test
	void pageCacheHitsAndMisses() {
		assertThat(this.mvc.get().uri("/observed-page/one")).hasStatusOk();
		assertThat(this.mvc.get().uri("/observed-page/one")).hasStatusOk();
		assertThat(this.mvc.get().uri("/observed-page/one")).hasStatusOk();
		assertThat(count("cache.page.gets", "cache:default", "result:miss")).isEqualTo(1);
		assertThat(count("cache.page.gets", "cache:default", "result:hit")).isEqualTo(2);
	}

	@Test
	void fragmentCacheHitsAndMisses() {
		assertThat(this.mvc.get().uri("/observed-fragment/ann")).hasStatusOk().bodyText().contains("ann");
		assertThat(this.mvc.get().uri("/observed-fragment/ann")).hasStatusOk().bodyText().contains("ann");
		assertThat(this.mvc.get().uri("/observed-fragment/bob")).hasStatusOk().bodyText().contains("bob");
		assertThat(count("cache.fragment.gets", "cache:default", "result:miss")).isEqualTo(2);
		assertThat(count("cache.fragment.gets", "cache:default", "result:hit")).isEqualTo(1);
	}

	private double count(String name, String... tags) {
		StringBuilder uri = new StringBuilder("/actuator/metrics/" + name + "?");
		for (String tag : tags) {
			uri.append("tag=").append(tag).append('&');
		}
		MvcTestResult result = this.mvc.get().uri(uri.toString()).exchange();
		assertThat(result).hasStatusOk();
		return ((Number) JsonPath.read(AbstractCacheBackendsEndpointTests.body(result), "$.measurements[0].value"))
			.doubleValue();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(LayerController.class)
	static class LayerApplication {

	}

	@Controller
	static class LayerController {

		@CachePage(60)
		@GetMapping("/observed-page/{name}")
		@ResponseBody
		String page(@PathVariable String name) {
			return "page " + name;
		}

		@GetMapping("/observed-fragment/{user}")
		String fragment(@PathVariable String user, Model model) {
			model.addAttribute("user", user);
			return "observability/fragment";
		}

	}

}
