package io.cacheframework.sample;

import java.util.List;

import io.cacheframework.core.Caches;
import io.cacheframework.core.TemplateFragmentKeys;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
@AutoConfigureMockMvc
class SidebarControllerTests {

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@Autowired
	SidebarController sidebar;

	@Test
	void sidebarIsBuiltOncePerUserAndRebuiltAfterRefresh() {
		int before = this.sidebar.built();
		assertThat(this.mvc.get().uri("/dashboard/sample-ann")).hasStatusOk()
			.bodyText()
			.contains("<li>Profile of sample-ann</li>")
			.doesNotContain("cache:");
		assertThat(this.mvc.get().uri("/dashboard/sample-ann")).hasStatusOk();
		assertThat(this.sidebar.built()).isEqualTo(before + 1);
		assertThat(this.mvc.get().uri("/dashboard/sample-bob")).hasStatusOk()
			.bodyText()
			.contains("<li>Profile of sample-bob</li>");
		assertThat(this.sidebar.built()).isEqualTo(before + 2);
		// The sample configures a template_fragments alias, which the dialect uses instead of default (as Django does).
		assertThat(this.caches.get("template_fragments").get(TemplateFragmentKeys.make("sidebar", List.of("sample-ann"))))
			.asString()
			.contains("<aside id=\"sidebar\">");
		assertThat(this.mvc.post().uri("/dashboard/sample-ann/refresh")).hasStatus3xxRedirection();
		assertThat(this.mvc.get().uri("/dashboard/sample-ann")).hasStatusOk();
		assertThat(this.sidebar.built()).isEqualTo(before + 3);
	}

}
