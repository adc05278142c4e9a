package io.cacheframework.sample;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * {@code @Cacheable} on the Django-style caches: "greetings" is not an alias, so it is a namespace inside the
 * default cache; evicting all of it leaves other names alone.
 */
@Service
public class GreetingService {

	private final AtomicInteger computed = new AtomicInteger();

	@Cacheable("greetings")
	public String greet(String name) {
		// Stands for expensive work: the counter shows how often it really ran.
		return "Hello " + name + " #" + this.computed.incrementAndGet();
	}

	@CacheEvict(cacheNames = "greetings", allEntries = true)
	public void forgetAll() {
	}

	public int computedCount() {
		return this.computed.get();
	}

}
