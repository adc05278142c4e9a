package io.cacheframework.spring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.context.annotation.Bean;

/**
 * The application the Spring cache contract tests start ({@link AbstractDjangoCacheTests}): every
 * auto-configuration, caching on, and a {@code @Cacheable} service whose first argument names the cache.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableCaching
public class SpringCacheTestApplication {

	/**
	 * Resolves the cache named by a method's first argument, so that one method serves an alias and a namespace.
	 */
	@Bean
	CacheResolver firstArgumentCacheResolver(CacheManager cacheManager) {
		return (context) -> List.of(cacheManager.getCache((String) context.getArgs()[0]));
	}

	@Bean
	Greetings greetings() {
		return new Greetings();
	}

	/**
	 * Cached methods that count their calls per name.
	 */
	public static class Greetings {

		private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

		private int call(String name) {
			return this.calls.computeIfAbsent(name, (key) -> new AtomicInteger()).incrementAndGet();
		}

		/**
		 * How often a method ran for a name.
		 * @param name the name
		 * @return the count
		 */
		public int calls(String name) {
			AtomicInteger count = this.calls.get(name);
			return (count != null) ? count.get() : 0;
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name", sync = true)
		public String greet(String cacheName, String name) {
			int call = call(name);
			try {
				Thread.sleep(50); // so that racing callers overlap
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return "Hello " + name + " #" + call;
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name")
		public @Nullable String nobody(String cacheName, String name) {
			call(name);
			return null;
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name", sync = true)
		public CompletableFuture<String> later(String cacheName, String name) {
			return CompletableFuture.completedFuture("Later " + name + " #" + call(name));
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name")
		public CompletableFuture<String> laterUnsynchronized(String cacheName, String name) {
			return CompletableFuture.completedFuture("Later " + name + " #" + call(name));
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name", sync = true)
		public CompletableFuture<Object> unstorableLater(String cacheName, String name) {
			call(name);
			// Not Serializable: the cache refuses to store it.
			return CompletableFuture.completedFuture(new Object());
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name", sync = true)
		public Mono<String> mono(String cacheName, String name) {
			return Mono.fromSupplier(() -> "Mono " + name + " #" + call(name));
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name")
		public Mono<String> monoUnsynchronized(String cacheName, String name) {
			return Mono.fromSupplier(() -> "Mono " + name + " #" + call(name));
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name", sync = true)
		public Flux<String> flux(String cacheName, String name) {
			return Flux.defer(() -> {
				int call = call(name);
				return Flux.just("Flux " + name + " #" + call, "and more #" + call);
			});
		}

		@Cacheable(cacheResolver = "firstArgumentCacheResolver", key = "#name")
		public Flux<String> fluxUnsynchronized(String cacheName, String name) {
			return Flux.defer(() -> {
				int call = call(name);
				return Flux.just("Flux " + name + " #" + call, "and more #" + call);
			});
		}

	}

}
