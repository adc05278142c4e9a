package io.cacheframework.backend.memcached;

import java.util.List;
import java.util.stream.IntStream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A memcached that is killed and started again while callers keep calling: the log says so in one WARN when it goes
 * down and one INFO when it is back, whatever the number of failed calls and reconnect attempts in between (spymemcached
 * alone logs three lines, one with a stack trace, per attempt: every second here, every 2 s by default). Hung servers
 * are covered the same way by {@link MemcachedHungServerFaultTests}.
 */
class MemcachedOutageLogFaultTests {

	private static final List<String> KEYS = IntStream.range(0, 20).mapToObj((i) -> "key" + i).toList();

	@ParameterizedTest(name = "unix socket: {0}")
	@ValueSource(booleans = { false, true })
	void aServerThatIsDownIsOneLineAndItsReturnAnother(boolean unix) {
		try (MemcachedServer server = unix ? MemcachedServer.startUnix() : MemcachedServer.start();
				MemcachedCacheBackend cache = new MemcachedCacheBackend(
						CacheSettings.builder("logged").location(server.location()).build(),
						MemcachedHungServerFaultTests.options(), new DefaultValueSerializer());
				LogCapture log = LogCapture.of(MemcachedCacheBackend.class.getName());
				LogCapture spymemcached = LogCapture.of("net.spy.memcached")) {
			try (Callers callers = new Callers(cache, 4, KEYS)) {
				assertThat(callers.awaitHits(20, 2000)).isTrue();
				server.kill();
				// Three reconnect delays: three reconnect attempts, thousands of failed calls.
				MemcachedServer.sleep(3000);
				server.restart();
				assertThat(callers.awaitHits(20, 5000)).isTrue();
				assertThat(callers.failures()).isEmpty();
			}
			String server1 = "memcached server " + server.address() + " is ";
			// "is down (<reason>)" is the outage line; the first failed call's line ("get failed ...: memcached
			// server ... is down") says "is down" too when the server was already marked down.
			assertThat(MemcachedHungServerFaultTests.lines(log, Level.WARN, server1 + "down ("))
				.as(log.events().toString()).hasSize(1);
			assertThat(MemcachedHungServerFaultTests.lines(log, Level.INFO, server1 + "back"))
				.as(log.events().toString()).hasSize(1);
			// The failed calls are counted and logged by the cache at most every 10 s: not a line each.
			assertThat(log.events().stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
				.count()).isLessThanOrEqualTo(3);
			assertThat(spymemcached.events().stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
				.map(ILoggingEvent::getFormattedMessage)).isEmpty();
		}
	}

}
