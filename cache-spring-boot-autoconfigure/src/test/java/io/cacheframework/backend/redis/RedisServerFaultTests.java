package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis server that hangs (SIGSTOP: its socket stays open, nothing answers) or crashes (SIGKILL, then a restart on
 * the same port) under eight concurrent callers: no caller gets an exception or another key's value, every call is
 * back within the operation timeout plus a margin, only a bounded number of calls are slow (the ones in flight when
 * the server stopped, and one trial per {@code reconnect-delay}), the outage is one log line and the recovery another,
 * and the backend serves again by itself, without a restart of the application.
 *
 * <p>Timing: {@code operation-timeout} is {@value #TIMEOUT_MILLIS} ms and every call must be back within
 * {@value #BOUND_MILLIS} ms: the timeout plus {@value #MARGIN_MILLIS} ms for scheduling and GC on a loaded 2-core
 * machine. A call is slow when it takes over {@value FaultCallers#SLOW_MILLIS} ms. Service must be back (50 more hits)
 * within 5 s of SIGCONT or of the restart ({@code reconnect-delay} is 1 s).
 */
class RedisServerFaultTests {

	static final long TIMEOUT_MILLIS = 250;

	static final long MARGIN_MILLIS = 250;

	static final long BOUND_MILLIS = TIMEOUT_MILLIS + MARGIN_MILLIS;

	/** The pause: three reconnect delays, so that the server is avoided, tried, and avoided again. */
	private static final long OUTAGE_MILLIS = 3000;

	/** A loopback address with its port, as Lettuce writes it: {@code 127.0.0.1/<unresolved>:6379}. */
	private static final Pattern LOOPBACK_ADDRESS = Pattern.compile("127\\.0\\.0\\.1[^ :]*:(\\d+)");

	private static final List<String> KEYS = IntStream.range(0, 50).mapToObj((i) -> "key" + i).toList();

	static RedisOptions options() {
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(Duration.ofMillis(TIMEOUT_MILLIS));
		options.setReconnectDelay(Duration.ofSeconds(1));
		options.setTimeoutThreshold(3);
		return options;
	}

	static RedisCacheBackend cache(String location) {
		return new RedisCacheBackend(CacheSettings.builder("fault").location(location).build(), options(),
				new DefaultValueSerializer());
	}

	@Test
	void sigstopUnderEightCallers() {
		try (RedisServer server = RedisServer.start(); RedisCacheBackend cache = cache(server.location())) {
			outage(server, cache, server::pause, server::resume, "hung");
		}
	}

	@Test
	void sigkillAndRestartUnderEightCallers() {
		try (RedisServer server = RedisServer.start(); RedisCacheBackend cache = cache(server.location())) {
			outage(server, cache, server::kill, server::restart, "killed");
		}
	}

	private static void outage(RedisServer server, RedisCacheBackend cache, Runnable fail, Runnable recover,
			String what) {
		KEYS.forEach((key) -> cache.set(key, FaultCallers.value(key)));
		try (LogCapture log = LogCapture.of(RedisCacheBackend.class.getName());
				LogCapture lettuce = LogCapture.of("io.lettuce")) {
			try (FaultCallers callers = new FaultCallers(cache, 8, KEYS)) {
				assertThat(callers.awaitHits(50, 2000)).isTrue();
				long slowBefore = callers.slowCalls();
				fail.run();
				RedisServer.sleep(OUTAGE_MILLIS);
				long maxWhileDown = callers.maxMillis();
				long slowWhileDown = callers.slowCalls() - slowBefore;
				long callsWhileDown = callers.calls();
				long recovered = System.nanoTime();
				recover.run();
				assertThat(callers.awaitHits(50, 5000)).as("hits within 5 s of the recovery").isTrue();
				long serviceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recovered);
				RedisServer.sleep(300);
				assertThat(callers.failures()).as("exceptions to callers").isEmpty();
				assertThat(callers.wrongValues()).isEmpty();
				assertThat(maxWhileDown).as("longest call while down, ms").isLessThanOrEqualTo(BOUND_MILLIS);
				assertThat(callers.maxMillis()).as("longest call, ms").isLessThanOrEqualTo(BOUND_MILLIS);
				// The eight calls in flight, then one trial per reconnect-delay: a handful, not one per call.
				assertThat(slowWhileDown).as("slow calls while down").isLessThanOrEqualTo(8 + 3 * 2);
				System.out.println(what + " " + server.address() + ": " + callsWhileDown + " calls, " + slowWhileDown
						+ " slow while down, longest " + callers.maxMillis() + " ms, service back " + serviceMillis
						+ " ms after the recovery");
			}
			String prefix = "redis primary " + server.address() + " is ";
			assertThat(lines(log, Level.WARN, prefix + "down (")).as(log.events().toString()).hasSize(1);
			assertThat(lines(log, Level.INFO, prefix + "back")).as(log.events().toString()).hasSize(1);
			// Lettuce's own lines about the lost connection and its reconnect: a few per outage, never a stream. The
			// capture is JVM-wide: lines naming another server's port come from some other test's client.
			List<String> lettuceLines = lettuce.events()
				.stream()
				.filter((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
				.map(ILoggingEvent::getFormattedMessage)
				.filter((line) -> namesNoOtherServer(line, server.port()))
				.toList();
			assertThat(lettuceLines).as(lettuceLines.toString()).hasSizeLessThanOrEqualTo(5);
		}
	}

	@Test
	void startsWhileRedisIsDownAndUsesItOnceItIsUp() {
		int port = RedisServer.freePort();
		long start = System.nanoTime();
		try (RedisCacheBackend cache = cache("redis://127.0.0.1:" + port + "/0")) {
			long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(startMillis).as("construction while down, ms").isLessThan(2000);
			int slow = 0;
			for (int i = 0; i < 100; i++) {
				long callStart = System.nanoTime();
				cache.set("k" + i, i);
				assertThat(cache.get("k" + i)).isNull();
				assertThat(cache.add("a" + i, 1)).isFalse();
				if (System.nanoTime() - callStart > TimeUnit.MILLISECONDS.toNanos(FaultCallers.SLOW_MILLIS)) {
					slow++;
				}
			}
			assertThat(slow).as("slow rounds while nothing listens").isLessThanOrEqualTo(2);
			try (RedisServer server = RedisServer.startOnPort(port)) {
				assertThat(RedisServer.awaitValue(() -> {
					cache.set("after", "up");
					return cache.get("after");
				})).isEqualTo("up");
				assertThat(cache.checkHealth()).singleElement().satisfies((health) -> assertThat(health.up()).isTrue());
			}
		}
	}

	static List<String> lines(LogCapture log, Level level, String text) {
		return log.events()
			.stream()
			.filter((event) -> event.getLevel() == level && event.getFormattedMessage().contains(text))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private static boolean namesNoOtherServer(String line, int port) {
		Matcher address = LOOPBACK_ADDRESS.matcher(line);
		while (address.find()) {
			if (Integer.parseInt(address.group(1)) != port) {
				return false;
			}
		}
		return true;
	}

}
