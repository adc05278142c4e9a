package io.cacheframework.sample;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's page-caching examples, with the settings of the sample's application.yml (site-wide cache on, as with
 * its {@code sitecache} profile).
 */
@SpringBootTest(properties = { "app.cache-middleware.enabled=true", "app.cache-pages[0].path=/pages/by-path",
		"app.cache-pages[0].timeout=900" })
@AutoConfigureMockMvc
class PagesControllerTests {

	@Autowired
	private MockMvcTester mvc;

	private String body(String uri, String... header) throws Exception {
		MvcTestResult result = (header.length == 0) ? this.mvc.get().uri(uri).exchange()
				: this.mvc.get().uri(uri).header(header[0], header[1]).exchange();
		assertThat(result).hasStatusOk();
		return result.getResponse().getContentAsString();
	}

	@Test
	void cachedPagesRenderOnce() throws Exception {
		for (String uri : new String[] { "/pages/site", "/pages/report", "/pages/by-path" }) {
			assertThat(body(uri)).isEqualTo(body(uri));
		}
		assertThat(this.mvc.get().uri("/pages/report")).headers().hasValue("Cache-Control", "max-age=60");
	}

	@Test
	void neverCacheAndPrivatePagesRenderEveryTime() throws Exception {
		for (String uri : new String[] { "/pages/report-live", "/pages/account" }) {
			assertThat(body(uri)).isNotEqualTo(body(uri));
		}
	}

	@Test
	void varyGivesEachTenantItsOwnPage() throws Exception {
		String a = body("/pages/tenant", "X-Tenant", "a");
		String b = body("/pages/tenant", "X-Tenant", "b");
		assertThat(a).contains("Tenant a").isNotEqualTo(b);
		assertThat(body("/pages/tenant", "X-Tenant", "a")).isEqualTo(a);
		assertThat(b).contains("Tenant b");
	}

}
