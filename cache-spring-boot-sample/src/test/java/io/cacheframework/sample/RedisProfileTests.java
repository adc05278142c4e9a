package io.cacheframework.sample;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's {@code redis} profile, against a {@code redis-server} of the test's own on a free loopback port (never
 * the machine's Redis on 6379): the default cache is Django's RedisCache, the low-level example (/) and {@code @Cacheable}
 * work on it, and the actuator shows the server.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("redis")
class RedisProfileTests {

	private static final int PORT = freePort();

	private static final Process redis = start(PORT);

	@Autowired
	MockMvcTester mvc;

	@Autowired
	Caches caches;

	@Autowired
	CacheBackend cache;

	@DynamicPropertySource
	static void location(DynamicPropertyRegistry registry) {
		registry.add("app.caches.default.location", () -> "redis://127.0.0.1:" + PORT + "/0");
	}

	@AfterAll
	static void stopRedis() {
		redis.destroyForcibly();
	}

	@Test
	void theDefaultCacheIsRedis() {
		assertThat(this.cache.backendName()).isEqualTo("redis");
		assertThat(this.mvc.get().uri("/")).hasStatusOk().bodyText().contains("Hello, guyan!").contains(":1:username");
		assertThat(this.cache.get("username")).isEqualTo("guyan");
		this.cache.set("visits", 1);
		assertThat(this.cache.incr("visits")).isEqualTo(2);
		assertThat(this.caches.aliases()).contains("default", "sessions", "database", "files");
	}

	@Test
	void theActuatorShowsTheServer() {
		assertThat(this.mvc.get().uri("/actuator/health/cachebackends/default")).hasStatusOk()
			.bodyText()
			.contains("127.0.0.1:" + PORT)
			.contains("\"role\":\"master\"");
		assertThat(this.mvc.get().uri("/actuator/cachebackends/default")).hasStatusOk()
			.bodyText()
			.contains("\"backend\":\"redis\"")
			.contains("redis_version");
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Process start(int port) {
		try {
			File dir = Files.createTempDirectory("sample-redis").toFile();
			Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.getAbsolutePath())
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectErrorStream(true)
				.start();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (System.nanoTime() < deadline) {
				try (Socket socket = new Socket("127.0.0.1", port)) {
					return process;
				}
				catch (IOException ex) {
					Thread.sleep(10);
				}
			}
			throw new AssertionError("redis-server did not start on port " + port);
		}
		catch (IOException ex) {
			throw new AssertionError("redis-server is needed (apt-get install -y redis-server)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
