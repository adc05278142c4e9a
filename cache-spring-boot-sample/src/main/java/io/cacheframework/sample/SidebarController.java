package io.cacheframework.sample;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.cacheframework.core.Caches;
import io.cacheframework.core.TemplateFragmentKeys;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * Template fragment caching, Django's documented {@code {% cache 500 sidebar request.user.username %}}: the dashboard's
 * sidebar is expensive to build, so {@code templates/thymeleaf/dashboard.html} caches it for 500 seconds per user
 * with the {@code cache} dialect. The rest of the page renders on every request.
 */
@Controller
class SidebarController {

	private final Caches caches;

	private final AtomicInteger sidebarsBuilt = new AtomicInteger();

	SidebarController(Caches caches) {
		this.caches = caches;
	}

	@GetMapping("/dashboard/{username}")
	String dashboard(@PathVariable String username, Model model) {
		model.addAttribute("username", username);
		model.addAttribute("now", Instant.now());
		model.addAttribute("sidebar", this);
		return "thymeleaf/dashboard";
	}

	/**
	 * Django's {@code cache.delete(make_template_fragment_key("sidebar", [username]))}: the next request renders the
	 * user's sidebar again.
	 * @param username the user whose sidebar changed
	 * @return a redirect to the dashboard
	 */
	@PostMapping("/dashboard/{username}/refresh")
	String refresh(@PathVariable String username) {
		// The dialect's alias rule: template_fragments if configured (the sample's application.yml), else default.
		String alias = this.caches.aliases().contains("template_fragments") ? "template_fragments" : "default";
		this.caches.get(alias).delete(TemplateFragmentKeys.make("sidebar", List.of(username)));
		return "redirect:/dashboard/" + username;
	}

	/**
	 * The expensive part: called from the template only while the sidebar is rendered, i.e. on a cache miss.
	 * @param username the user
	 * @return the sidebar's links
	 */
	public List<String> links(String username) {
		this.sidebarsBuilt.incrementAndGet();
		return List.of("Profile of " + username, "Messages for " + username, "Settings");
	}

	/**
	 * How many sidebars were built since startup.
	 * @return the count
	 */
	public int built() {
		return this.sidebarsBuilt.get();
	}

}
