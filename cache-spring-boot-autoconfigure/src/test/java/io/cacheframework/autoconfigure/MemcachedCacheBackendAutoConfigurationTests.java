package io.cacheframework.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.cacheframework.backend.memcached.MemcachedCacheBackend;
import io.cacheframework.backend.memcached.MemcachedServerAccess;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backend: memcached} through the auto-configuration, against a real memcached.
 */
class MemcachedCacheBackendAutoConfigurationTests {

	private static MemcachedServerAccess server;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, MemcachedCacheBackendAutoConfiguration.class));

	@BeforeAll
	static void startServer() {
		server = MemcachedServerAccess.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void memcachedBackendWithOptions() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(),
					"app.caches.default.options.operation-timeout=250ms",
					"app.caches.default.options.failure-mode=cancel",
					"app.caches.default.options.connections=2",
					"app.caches.default.options.compression-threshold=0",
					"app.caches.default.options.distribution=ketama",
					"app.caches.default.options.value-format=pickle")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(Caches.class).get("default");
				assertThat(cache).isInstanceOf(MemcachedCacheBackend.class);
				cache.set("username", "guyan");
				assertThat(cache.get("username")).isEqualTo("guyan");
				// Written as a pickle, so it reads back as the unpickler's map, not the Map.of it was.
				cache.set("map", Map.of("a", 1));
				assertThat(cache.get("map")).isInstanceOf(LinkedHashMap.class)
					.isEqualTo(Map.of("a", 1));
				assertThat(((MemcachedCacheBackend) cache).servers().get(server.address()).alive()).isTrue();
			});
	}

	@Test
	void yamlListLocation() throws InterruptedException {
		String dead = "127.0.0.1:" + MemcachedServerAccess.freePort();
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location[0]=" + server.location(), "app.caches.default.location[1]=" + dead)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MemcachedCacheBackend cache = (MemcachedCacheBackend) context.getBean(Caches.class).get("default");
				assertThat(cache.servers()).hasSize(2);
				// Half the keys belong to the server nobody listens on: until its refused connection is noticed a
				// write to it fails, which is not what this test is about. Once it is known down, every key goes to
				// the live server.
				long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
				while (cache.servers().get(dead).alive() && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				assertThat(cache.servers().get(dead).alive()).isFalse();
				cache.set("k", 1);
				assertThat(cache.get("k")).isEqualTo(1);
			});
	}

	@Test
	void unknownOptionFailsStartupNamingIt() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(), "app.caches.default.options.nope=1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("app.caches.default.options.nope"));
	}

	@Test
	void badOptionValueFailsStartupNamingIt() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(),
					"app.caches.default.options.failure-mode=sometimes")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.failure-mode"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(),
					"app.caches.default.options.connections=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.connections"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(),
					"app.caches.default.options.distribution=md5")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.distribution"));
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location(),
					"app.caches.default.options.value-format=yaml")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.value-format"));
	}

	/**
	 * An alias in camelCase, as Spring users name caches, with options: it starts, and a value the options refuse
	 * names the option under that alias (from the options class's own check, not from its message).
	 */
	@Test
	void camelCaseAliasWithOptions() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=locmem", "app.caches.testCache.backend=memcached",
					"app.caches.testCache.location=" + server.location(),
					"app.caches.testCache.options.operation-timeout=250ms",
					"app.caches.testCache.options.timeoutThreshold=2", "app.caches.testCache.options.flush-after-outage=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(Caches.class).get("testCache");
				assertThat(cache).isInstanceOf(MemcachedCacheBackend.class);
				cache.set("username", "guyan");
				assertThat(cache.get("username")).isEqualTo("guyan");
			});
		Map<String, String> refused = Map.of("operation-timeout", "0ms", "connections", "0", "timeout-threshold", "0",
				"reconnect-delay", "-1s");
		refused.forEach((option, value) -> this.contextRunner
			.withPropertyValues("app.caches.default.backend=locmem", "app.caches.testCache.backend=memcached",
					"app.caches.testCache.location=" + server.location(),
					"app.caches.testCache.options." + option + "=" + value)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(invalidProperty(context.getStartupFailure())).as(option)
					.isEqualTo("app.caches.testCache.options." + option);
			}));
	}

	private static String invalidProperty(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidCacheConfigurationException invalid) {
				return invalid.getProperty();
			}
		}
		throw new AssertionError("no InvalidCacheConfigurationException in " + failure);
	}

	@Test
	void badLocationFailsStartupNamingIt() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached", "app.caches.default.location=host:notaport")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.location"));
	}

	@Test
	void serverDownAtStartupDoesNotFailTheApplication() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=127.0.0.1:" + MemcachedServerAccess.freePort(),
					"app.caches.default.options.operation-timeout=" + Duration.ofMillis(200).toMillis() + "ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(CacheBackend.class);
				cache.set("k", 1);
				assertThat(cache.get("k")).isNull();
			});
	}

	@Test
	void closingTheContextStopsTheClient() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=memcached",
					"app.caches.default.location=" + server.location())
			.run((context) -> assertThat(context.getBean(CacheBackend.class)).isNotNull());
		assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
			.filter((name) -> name.startsWith("Memcached IO"))).isEmpty();
	}

}
