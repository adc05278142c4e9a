package io.cacheframework.autoconfigure;

import io.cacheframework.backend.redis.RedisCacheBackend;
import io.cacheframework.backend.redis.RedisServerAccess;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheInspection;
import io.cacheframework.core.Caches;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backend: redis} through the auto-configuration, against a real {@code redis-server} of its own.
 */
class RedisCacheBackendAutoConfigurationTests {

	private static RedisServerAccess server;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CacheFrameworkAutoConfiguration.class, RedisCacheBackendAutoConfiguration.class));

	@BeforeAll
	static void startServer() {
		server = RedisServerAccess.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void redisBackendWithOptions() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + server.location(5),
					"app.caches.default.options.operation-timeout=250ms",
					"app.caches.default.options.connect-timeout=3s", "app.caches.default.options.db=3",
					"app.caches.default.options.client-name=sample", "app.caches.default.options.value-format=pickle",
					"app.caches.default.options.reconnect-delay=1s", "app.caches.default.options.timeout-threshold=2",
					"app.caches.default.options.max-entries=100")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(Caches.class).get("default");
				assertThat(cache).isInstanceOf(RedisCacheBackend.class);
				assertThat(cache.backendName()).isEqualTo("redis");
				cache.set("username", "guyan");
				assertThat(cache.get("username")).isEqualTo("guyan");
				// The URL says database 5: it wins over options.db.
				assertThat(((CacheInspection) cache).inspectionDetails().toString()).contains("db5=1")
					.doesNotContain("db3=");
			});
	}

	@Test
	void yamlListLocationIsAPrimaryAndItsReplicas() {
		int down = RedisServerAccess.freePort();
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis",
					"app.caches.default.location[0]=" + server.location(1),
					"app.caches.default.location[1]=redis://127.0.0.1:" + down + "/1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RedisCacheBackend cache = (RedisCacheBackend) context.getBean(CacheBackend.class);
				assertThat(cache.checkHealth()).hasSize(2);
				cache.set("k", 1);
				// The replica is down: reads go to the primary.
				assertThat(cache.get("k")).isEqualTo(1);
			});
	}

	@Test
	void unknownOptionFailsStartupNamingIt() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + server.location(0),
					"app.caches.default.options.nope=1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("app.caches.default.options.nope")
				.hasMessageContaining("cluster"));
	}

	@Test
	void badOptionValuesFailStartupNamingThem() {
		for (String option : new String[] { "operation-timeout=0s", "timeout-threshold=0", "db=-1",
				"value-format=yaml", "cluster=maybe" }) {
			String name = option.substring(0, option.indexOf('='));
			this.contextRunner
				.withPropertyValues("app.caches.default.backend=redis",
						"app.caches.default.location=" + server.location(0), "app.caches.default.options." + option)
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.hasStackTraceContaining("app.caches.default.options." + name));
		}
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + server.location(0),
					"app.caches.default.options.cluster=true", "app.caches.default.options.db=2")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.options.db")
				.hasStackTraceContaining("database 0 only"));
	}

	@Test
	void badLocationFailsStartupNamingIt() {
		for (String location : new String[] { "127.0.0.1:6379", "http://127.0.0.1:6379", "redis://:secret@/0", " " }) {
			this.contextRunner
				.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + location)
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.hasStackTraceContaining("app.caches.default.location")
					.satisfies((failure) -> assertThat(failure.toString()).doesNotContain("secret")));
		}
	}

	@Test
	void serverDownAtStartupDoesNotFailTheApplication() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis",
					"app.caches.default.location=redis://127.0.0.1:" + RedisServerAccess.freePort() + "/0",
					"app.caches.default.options.operation-timeout=200ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CacheBackend cache = context.getBean(CacheBackend.class);
				cache.set("k", 1);
				assertThat(cache.get("k")).isNull();
			});
	}

	@Test
	void withoutLettuceTheBackendNamesTheDependencyToAdd() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
			.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + server.location(0))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("app.caches.default.backend")
				.hasStackTraceContaining("io.lettuce:lettuce-core"));
	}

	@Test
	void closingTheContextStopsLettucesThreads() {
		this.contextRunner
			.withPropertyValues("app.caches.default.backend=redis", "app.caches.default.location=" + server.location(0))
			.run((context) -> context.getBean(CacheBackend.class).set("k", 1));
		long deadline = System.nanoTime() + 3_000_000_000L;
		while (lettuceThreads() > 0 && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		assertThat(lettuceThreads()).isZero();
	}

	private static long lettuceThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith("lettuce-"))
			.count();
	}

}
