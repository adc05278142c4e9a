package io.cacheframework.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.AbstractCacheBackend;
import io.cacheframework.core.CacheAccessException;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheExecutor;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Caches;
import io.cacheframework.core.KeyFunction;
import io.cacheframework.core.Timeout;
import io.cacheframework.spring.DjangoCache;
import io.cacheframework.spring.DjangoCacheManager;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import static org.assertj.core.api.Assertions.assertThat;

class CacheFrameworkAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, CacheAutoConfiguration.class));

	@Test
	void defaultIsLocMemWithoutConfigurationOrEnableCaching() {
		this.contextRunner.run((context) -> {
			Caches caches = context.getBean(Caches.class);
			assertThat(caches.aliases()).containsExactly("default");
			assertThat(caches.get("default")).isInstanceOf(LocMemCacheBackend.class);
			assertThat(context.getBean(CacheBackend.class)).isSameAs(caches.get("default"));
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(DjangoCacheManager.class);
			CacheBackend cache = context.getBean(CacheBackend.class);
			cache.set("username", "guyan", Timeout.seconds(120));
			assertThat(cache.get("username")).isEqualTo("guyan");
		});
	}

	@Test
	void beanPerAliasWithDefaultPrimary() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=locmem", "app.caches.default.location=one",
					"app.caches.other.backend=dummy", "app.caches.other.key-prefix=p",
					"app.caches.other.version=3")
			.run((context) -> {
				assertThat(context.getBean("defaultCacheBackend")).isInstanceOf(LocMemCacheBackend.class);
				assertThat(context.getBean("otherCacheBackend")).isInstanceOf(DummyCacheBackend.class);
				assertThat(context.getBean(CacheBackend.class)).isSameAs(context.getBean("defaultCacheBackend"));
				assertThat(context.getBean(Caches.class).aliases()).containsExactly("default", "other");
				CacheBackend other = context.getBean(Caches.class).get("other");
				assertThat(other.makeKey("k")).isEqualTo("p:3:k");
			});
	}

	@Test
	void settingsAreBound() {
		this.contextRunner
			.withPropertyValues("app.caches.default.location=bound", "app.caches.default.timeout=15m",
					"app.caches.default.options.max-entries=40", "app.caches.default.options.CULL_FREQUENCY=4",
					"app.caches.forever.timeout=none", "app.caches.zero.timeout=0",
					"app.caches.seconds.timeout=60")
			.run((context) -> {
				Caches caches = context.getBean(Caches.class);
				CacheSettings settings = ((AbstractCacheBackend) caches.get("default")).settings();
				assertThat(settings.location()).isEqualTo("bound");
				assertThat(settings.timeout()).isEqualTo(Timeout.seconds(900));
				assertThat(settings.maxEntries()).isEqualTo(40);
				assertThat(settings.cullFrequency()).isEqualTo(4);
				assertThat(((AbstractCacheBackend) caches.get("forever")).settings().timeout())
					.isEqualTo(Timeout.NEVER);
				assertThat(((AbstractCacheBackend) caches.get("zero")).settings().timeout())
					.isEqualTo(Timeout.seconds(0));
				assertThat(((AbstractCacheBackend) caches.get("seconds")).settings().timeout())
					.isEqualTo(Timeout.seconds(60));
				caches.get("zero").set("k", "v");
				assertThat(caches.get("zero").hasKey("k")).isFalse();
			});
	}

	@Test
	void backendByClassName() {
		this.contextRunner.withPropertyValues("app.caches.default.backend=" + DummyCacheBackend.class.getName())
			.run((context) -> assertThat(context.getBean(Caches.class).get("default"))
				.isInstanceOf(DummyCacheBackend.class));
	}

	@Test
	void keyFunctionByClassNameAndByBean() {
		this.contextRunner
			.withUserConfiguration(KeyFunctionConfiguration.class)
			.withPropertyValues("app.caches.default.key-function=" + CustomKeyFunction.class.getName(),
					"app.caches.default.key-prefix=p", "app.caches.bean.key-function=shoutingKeys")
			.run((context) -> {
				Caches caches = context.getBean(Caches.class);
				assertThat(caches.get("default").makeKey("answer")).isEqualTo("CUSTOM-p-1-answer");
				assertThat(caches.get("bean").makeKey("answer")).isEqualTo("ANSWER");
			});
	}

	@Test
	void unknownBackendFailsNamingProperty() {
		assertFailure("app.caches.default.backend=redisish", "app.caches.default.backend", "redisish");
	}

	@Test
	void unknownBackendClassFailsNamingProperty() {
		assertFailure("app.caches.default.backend=com.example.NoSuchBackend", "app.caches.default.backend",
				"com.example.NoSuchBackend");
	}

	@Test
	void unparsableTimeoutFailsNamingProperty() {
		assertFailure("app.caches.default.timeout=soon", "app.caches.default.timeout", "soon");
	}

	/**
	 * A negative timeout used to be accepted and cache nothing: Django keeps nothing with one either (it expires at
	 * once), but written as a default it is almost always "never" spelt as other stores spell it.
	 */
	@Test
	void negativeTimeoutIsRefusedWithDjangosMeaning() {
		for (String timeout : new String[] { "-1", "-5m", "PT-1S" }) {
			this.contextRunner.withPropertyValues("app.caches.default.timeout=" + timeout).run((context) -> {
				InvalidCacheConfigurationException failure = findCause(context.getStartupFailure());
				assertThat(failure).as(timeout).isNotNull();
				assertThat(failure.getProperty()).isEqualTo("app.caches.default.timeout");
				assertThat(failure.getReason()).contains("'" + timeout + "' is negative")
					.contains("nothing would be cached")
					.contains("'none' for entries that never expire (Django's None)")
					.contains("0 to cache nothing on purpose");
			});
		}
	}

	/**
	 * A key function named by a bean that is not one, and that itself needs the caches, used to fail as a
	 * dependency cycle of the caches bean; its type is now checked before it is created.
	 */
	@Test
	void keyFunctionNamingAnotherKindOfBeanFailsNamingProperty() {
		this.contextRunner.withUserConfiguration(WrongKeyFunctionConfiguration.class)
			.withPropertyValues("app.caches.default.key-function=cacheUser")
			.run((context) -> {
				InvalidCacheConfigurationException failure = findCause(context.getStartupFailure());
				assertThat(failure).isNotNull();
				assertThat(failure.getProperty()).isEqualTo("app.caches.default.key-function");
				assertThat(failure.getReason()).contains("bean 'cacheUser' is a " + CacheUser.class.getName());
			});
	}

	@Test
	void keyFunctionBeanThatCannotBeCreatedFailsNamingProperty() {
		this.contextRunner.withUserConfiguration(WrongKeyFunctionConfiguration.class)
			.withPropertyValues("app.caches.default.key-function=brokenKeys")
			.run((context) -> {
				InvalidCacheConfigurationException failure = findCause(context.getStartupFailure());
				assertThat(failure).isNotNull();
				assertThat(failure.getProperty()).isEqualTo("app.caches.default.key-function");
				assertThat(failure.getReason()).contains("the KeyFunction bean 'brokenKeys' could not be created")
					.contains("no key secret configured");
			});
	}

	/**
	 * Any other failure of a backend factory names the alias; before, it surfaced as the failure of whichever bean
	 * needed the caches first.
	 */
	@Test
	void backendThatCannotBeCreatedFailsNamingTheAlias() {
		this.contextRunner.withUserConfiguration(BrokenBackendConfiguration.class)
			.withPropertyValues("app.caches.default.backend=broken")
			.run((context) -> {
				InvalidCacheConfigurationException failure = findCause(context.getStartupFailure());
				assertThat(failure).isNotNull();
				assertThat(failure.getProperty()).isEqualTo("app.caches.default");
				assertThat(failure.getReason()).isEqualTo("the broken backend could not be created: server gone");
			});
	}

	@Test
	void misspeltBackendNameIsSuggested() {
		assertFailure("app.caches.default.backend=memcache", "app.caches.default.backend", "did you mean memcached?");
	}

	@Test
	void negativeMaxEntriesFailsNamingProperty() {
		assertFailure("app.caches.default.options.max-entries=-1", "app.caches.default.options.max-entries",
				"negative");
	}

	@Test
	void negativeCullFrequencyFailsNamingProperty() {
		assertFailure("app.caches.default.options.cull-frequency=-3", "app.caches.default.options.cull-frequency",
				"negative");
	}

	@Test
	void nonNumericMaxEntriesFailsNamingProperty() {
		assertFailure("app.caches.default.options.max-entries=many", "app.caches.default.options.max-entries",
				"many");
	}

	@Test
	void unknownKeyFunctionFailsNamingProperty() {
		assertFailure("app.caches.default.key-function=com.example.NoSuchFunction", "app.caches.default.key-function",
				"com.example.NoSuchFunction");
	}

	@Test
	void missingDefaultAliasFailsNamingProperty() {
		assertFailure("app.caches.other.backend=locmem", "app.caches.default", "other");
	}

	@Test
	void badSerializationPatternFailsNamingProperty() {
		assertFailure("app.cache-serialization.allowed-classes[0]=*", "app.cache-serialization.allowed-classes[0]",
				"*");
	}

	@Test
	void nonNumericVersionFailsNamingProperty() {
		this.contextRunner.withPropertyValues("app.caches.default.version=two")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.version"));
	}

	@Test
	void oneAsyncExecutorServesEveryAliasAndTakesItsSizeFromProperties() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=locmem", "app.caches.other.backend=dummy",
					"app.cache-async.threads=1", "app.cache-async.queue-capacity=1")
			.run((context) -> {
				CacheExecutor executor = context.getBean(CacheExecutor.class);
				Caches caches = context.getBean(Caches.class);
				assertThat(((AbstractCacheBackend) caches.get("default")).settings().executor()).isSameAs(executor);
				assertThat(caches.get("other").settings().executor()).isSameAs(executor);
				assertThat(executor).isNotSameAs(CacheExecutor.shared());
				// One thread busy and one call queued: a third is refused, not queued.
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<Boolean> running = executor.submit(() -> await(release));
				CompletableFuture<Boolean> queued = executor.submit(() -> await(release));
				CompletableFuture<Boolean> refused = executor.submit(() -> true);
				assertThat(refused).failsWithin(Duration.ofSeconds(1))
					.withThrowableOfType(ExecutionException.class)
					.withCauseInstanceOf(CacheAccessException.class);
				release.countDown();
				assertThat(running).succeedsWithin(Duration.ofSeconds(5));
				assertThat(queued).succeedsWithin(Duration.ofSeconds(5));
			});
	}

	@Test
	void asyncExecutorIsClosedWithTheContext() {
		AtomicReference<CacheExecutor> executor = new AtomicReference<>();
		this.contextRunner.run((context) -> executor.set(context.getBean(CacheExecutor.class)));
		assertThat(executor.get().submit(() -> true)).failsWithin(Duration.ofSeconds(1))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CacheAccessException.class);
	}

	@Test
	void asyncThreadsBelowOneFailNamingProperty() {
		assertFailure("app.cache-async.threads=0", "app.cache-async.threads", "at least 1");
	}

	@Test
	void asyncQueueCapacityBelowOneFailsNamingProperty() {
		assertFailure("app.cache-async.queue-capacity=-5", "app.cache-async.queue-capacity", "at least 1");
	}

	@Test
	void misspeltAsyncPropertyFailsNamingIt() {
		assertFailure("app.cache-async.thread=4", "app.cache-async.thread", "did you mean threads?");
	}

	private static boolean await(CountDownLatch latch) {
		try {
			return latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void assertFailure(String property, String expectedName, String expectedDetail) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			InvalidCacheConfigurationException failure = findCause(context.getStartupFailure());
			assertThat(failure).isNotNull();
			assertThat(failure.getProperty()).isEqualTo(expectedName);
			assertThat(failure).hasMessageContaining(expectedName).hasMessageContaining(expectedDetail);
		});
	}

	private static InvalidCacheConfigurationException findCause(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidCacheConfigurationException invalid) {
				return invalid;
			}
		}
		return null;
	}

	@Test
	void cacheableGoesThroughTheDefaultBackend() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("app.caches.default.location=cacheable")
			.run((context) -> {
				GreetingService service = context.getBean(GreetingService.class);
				assertThat(service.greet("bob")).isEqualTo("Hello bob #1");
				assertThat(service.greet("bob")).isEqualTo("Hello bob #1");
				assertThat(service.greet("ann")).isEqualTo("Hello ann #2");
				// An alias cache name is that alias's backend.
				assertThat(service.fromAlias("x")).isEqualTo("x#3");
				assertThat(service.fromAlias("x")).isEqualTo("x#3");
				assertThat(context.getBean(Caches.class).get("default").getMany(List.of("x"))).containsKey("x");
			});
	}

	@Test
	void clearingOneNamespaceKeepsOthers() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("app.caches.default.location=namespaces")
			.run((context) -> {
				GreetingService service = context.getBean(GreetingService.class);
				service.greet("bob");
				service.other("bob");
				service.clearGreetings();
				// Recomputed after the clear, while the other name's entry survived.
				assertThat(service.greet("bob")).isEqualTo("Hello bob #2");
				assertThat(service.other("bob")).isEqualTo("bob #1");
				assertThat(context.getBean(CacheManager.class).getCacheNames()).contains("default", "greetings",
						"others");
			});
	}

	@Test
	void syncCacheableIsSingleFlight() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("app.caches.default.location=sync")
			.run((context) -> {
				GreetingService service = context.getBean(GreetingService.class);
				List<Thread> threads = new ArrayList<>();
				for (int i = 0; i < 8; i++) {
					Thread thread = new Thread(() -> service.slow("k"));
					thread.start();
					threads.add(thread);
				}
				for (Thread thread : threads) {
					thread.join();
				}
				assertThat(service.slowCalls()).isEqualTo(1);
			});
	}

	@Test
	void cacheFailureIsAMissForCacheable() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("app.caches.default.location=failures")
			.run((context) -> {
				GreetingService service = context.getBean(GreetingService.class);
				// The value cannot be serialized: the put fails, the method's result is still returned.
				assertThat(service.unstorable("a").value()).isEqualTo("a");
				assertThat(service.unstorable("a").value()).isEqualTo("a");
			});
	}

	@Test
	void anyKeyTypeBecomesAValidKey() {
		this.contextRunner.withPropertyValues("app.caches.default.location=keys").run((context) -> {
			DjangoCache cache = (DjangoCache) context.getBean(CacheManager.class).getCache("default");
			String longKey = "x".repeat(400);
			cache.put(longKey, "long");
			cache.put("has space", "space");
			cache.put(42L, "number");
			assertThat(cache.get(longKey).get()).isEqualTo("long");
			assertThat(cache.get("has space").get()).isEqualTo("space");
			assertThat(cache.get(42L).get()).isEqualTo("number");
			assertThat(cache.backendKey(longKey)).startsWith("#").hasSizeLessThan(70);
			assertThat(cache.backendKey("has space")).startsWith("#");
			cache.put("null", null);
			assertThat(cache.get("null")).isNotNull();
			assertThat(cache.get("null").get()).isNull();
			assertThat(cache.get("absent")).isNull();
		});
	}

	@Test
	void backsOffForUserCacheManager() {
		this.contextRunner.withUserConfiguration(UserCacheManagerConfiguration.class).run((context) -> {
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
			assertThat(context.getBean(Caches.class).get("default")).isNotNull();
		});
	}

	@Test
	void backsOffWhenSpringCacheTypeIsSet() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("spring.cache.type=simple")
			.run((context) -> {
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
				assertThat(context.getBean(Caches.class).get("default")).isNotNull();
			});
	}

	@Test
	void backendsAreClosedWithTheContext() {
		List<CacheBackend> seen = new ArrayList<>();
		this.contextRunner.withPropertyValues("app.caches.default.location=closing").run((context) -> {
			CacheBackend backend = context.getBean(CacheBackend.class);
			backend.set("k", "v");
			seen.add(backend);
		});
		// Closing released the shared store: a new backend on the same location starts empty.
		try (LocMemCacheBackend fresh = new LocMemCacheBackend(
				CacheSettings.builder("default").location("closing").build())) {
			assertThat(fresh.get("k")).isNull();
		}
		assertThat(seen).hasSize(1);
	}

	@Configuration(proxyBeanMethods = false)
	static class KeyFunctionConfiguration {

		@Bean
		KeyFunction shoutingKeys() {
			return (key, prefix, version) -> key.toUpperCase();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WrongKeyFunctionConfiguration {

		@Bean
		CacheUser cacheUser(Caches caches) {
			return new CacheUser(caches);
		}

		@Bean
		@Lazy
		KeyFunction brokenKeys() {
			throw new IllegalStateException("no key secret configured");
		}

	}

	record CacheUser(Caches caches) {
	}

	@Configuration(proxyBeanMethods = false)
	static class BrokenBackendConfiguration {

		@Bean
		CacheBackendFactory brokenCacheBackendFactory() {
			return CacheBackendFactory.of("broken", (context) -> {
				throw new IllegalStateException("server gone");
			});
		}

	}

	public static class CustomKeyFunction implements KeyFunction {

		@Override
		public String makeKey(String key, String keyPrefix, int version) {
			return "CUSTOM-" + keyPrefix + "-" + version + "-" + key;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		GreetingService greetingService() {
			return new GreetingService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class UserCacheManagerConfiguration {

		@Bean
		CacheManager userCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	static class GreetingService {

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger otherCalls = new AtomicInteger();

		private final AtomicInteger slow = new AtomicInteger();

		@Cacheable("greetings")
		public String greet(String name) {
			return "Hello " + name + " #" + this.calls.incrementAndGet();
		}

		@Cacheable("others")
		public String other(String name) {
			return name + " #" + this.otherCalls.incrementAndGet();
		}

		@CacheEvict(cacheNames = "greetings", allEntries = true)
		public void clearGreetings() {
		}

		@Cacheable("default")
		public String fromAlias(String name) {
			return name + "#" + this.calls.incrementAndGet();
		}

		@Cacheable(cacheNames = "slow", sync = true)
		public String slow(String key) {
			this.slow.incrementAndGet();
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return key;
		}

		public int slowCalls() {
			return this.slow.get();
		}

		@Cacheable("unstorable")
		public Unstorable unstorable(String value) {
			return new Unstorable(value);
		}

	}

	/**
	 * Not Serializable, so it cannot be copied into the local-memory cache.
	 */
	static final class Unstorable {

		private final String value;

		Unstorable(String value) {
			this.value = value;
		}

		String value() {
			return this.value;
		}

	}

}
