package io.cacheframework.sample;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The first example of Django's cache documentation:
 *
 * <pre>
 * def index(request):
 *     cache.set('username', 'guyan', 120)
 *     username = cache.get('username')
 *     logger.info(username)
 * </pre>
 */
@RestController
class IndexController {

	private static final Logger logger = LoggerFactory.getLogger(IndexController.class);

	private final CacheBackend cache;

	private final GreetingService greetings;

	IndexController(CacheBackend cache, GreetingService greetings) {
		this.cache = cache;
		this.greetings = greetings;
	}

	@GetMapping("/")
	String index() {
		this.cache.set("username", "guyan", Timeout.seconds(120));
		String username = this.cache.get("username", String.class);
		logger.info("username from cache: {}", username);
		return "Hello, " + username + "! (read back from the '" + this.cache.alias() + "' cache, stored as '"
				+ this.cache.makeKey("username") + "')\n";
	}

	@GetMapping("/greet/{name}")
	String greet(@PathVariable String name) {
		return this.greetings.greet(name) + "\n";
	}

}
