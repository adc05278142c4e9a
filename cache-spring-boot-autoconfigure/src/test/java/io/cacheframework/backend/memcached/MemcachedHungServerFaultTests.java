package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.LogCapture;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A memcached that hangs (SIGSTOP: its sockets stay open, nothing answers) under eight concurrent callers, over TCP
 * and over a unix socket whose listen backlog is full as well: no caller gets an exception, every call is back
 * within the operation timeout plus a margin, the outage is one log line and the recovery another, and normal
 * service is back within seconds of SIGCONT.
 *
 * <p>Timing: {@code operation-timeout} is {@value #TIMEOUT_MILLIS} ms and every call, the ones in flight when the
 * server stops included, must be back within {@value #BOUND_MILLIS} ms: the timeout plus a margin of
 * {@value #MARGIN_MILLIS} ms for scheduling and GC on a loaded 2-core machine (measured worst: 280 ms at a load average of 15).
 * Service must be back (50 more hits) within 5 s of SIGCONT ({@code reconnect-delay} is 1 s).
 */
class MemcachedHungServerFaultTests {

	static final long TIMEOUT_MILLIS = 250;

	static final long MARGIN_MILLIS = 250;

	static final long BOUND_MILLIS = TIMEOUT_MILLIS + MARGIN_MILLIS;

	private static final List<String> KEYS = IntStream.range(0, 50).mapToObj((i) -> "key" + i).toList();

	static MemcachedOptions options() {
		MemcachedOptions options = new MemcachedOptions();
		options.setOperationTimeout(Duration.ofMillis(TIMEOUT_MILLIS));
		options.setReconnectDelay(Duration.ofSeconds(1));
		options.setTimeoutThreshold(3);
		return options;
	}

	private static MemcachedCacheBackend cache(String location) {
		return new MemcachedCacheBackend(CacheSettings.builder("hung").location(location).build(), options(),
				new DefaultValueSerializer());
	}

	@Test
	void sigstopOverTcpUnderEightCallers() {
		try (MemcachedServer server = MemcachedServer.start(); MemcachedCacheBackend cache = cache(server.location())) {
			hangAndResume(server, cache, () -> List.of());
		}
	}

	@Test
	void sigstopOverAUnixSocketWithItsListenBacklogFullUnderEightCallers() {
		// A small backlog (8 waiting connections; Linux allows one more), filled while the server is stopped.
		try (MemcachedServer server = MemcachedServer.startUnix("-b", "8");
				MemcachedCacheBackend cache = cache(server.location())) {
			hangAndResume(server, cache, () -> fillListenBacklog(server.address()));
		}
	}

	/**
	 * Connections that the stopped server never accepts, until the kernel refuses more ({@code EAGAIN}): from then
	 * on a blocking connect would wait for ever.
	 */
	private static List<SocketChannel> fillListenBacklog(String path) {
		List<SocketChannel> waiting = new ArrayList<>();
		try {
			for (int i = 0; i < 64; i++) {
				SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
				channel.configureBlocking(false);
				try {
					channel.connect(UnixDomainSocketAddress.of(path));
					waiting.add(channel);
				}
				catch (SocketException ex) {
					channel.close();
					assertThat(ex.getMessage()).contains("temporarily unavailable");
					return waiting;
				}
			}
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
		throw new AssertionError("the listen backlog of " + path + " never filled");
	}

	private static void hangAndResume(MemcachedServer server, MemcachedCacheBackend cache,
			java.util.function.Supplier<List<SocketChannel>> whileStopped) {
		KEYS.forEach((key) -> cache.set(key, Callers.value(key)));
		try (LogCapture log = LogCapture.of(MemcachedCacheBackend.class.getName());
				LogCapture spymemcached = LogCapture.of("net.spy.memcached")) {
			List<SocketChannel> waiting;
			long maxWhileStopped;
			long serviceMillis;
			try (Callers callers = new Callers(cache, 8, KEYS)) {
				assertThat(callers.awaitHits(50, 2000)).isTrue();
				server.pause();
				waiting = whileStopped.get();
				// Three reconnect delays: the server is avoided, tried again (every caller waits once more), avoided.
				MemcachedServer.sleep(3000);
				maxWhileStopped = callers.maxMillis();
				long resumed = System.nanoTime();
				server.resume();
				for (SocketChannel channel : waiting) {
					close(channel);
				}
				assertThat(callers.awaitHits(50, 5000)).as("hits within 5 s of SIGCONT").isTrue();
				serviceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
				MemcachedServer.sleep(300);
				assertThat(callers.failures()).as("exceptions to callers").isEmpty();
				assertThat(callers.wrongValues()).isEmpty();
				assertThat(maxWhileStopped).as("longest call while stopped, ms").isLessThanOrEqualTo(BOUND_MILLIS);
				assertThat(callers.maxMillis()).as("longest call, ms").isLessThanOrEqualTo(BOUND_MILLIS);
				System.out.println("hung " + server.location() + ": " + callers.calls() + " calls, longest "
						+ callers.maxMillis() + " ms, service back " + serviceMillis + " ms after SIGCONT");
			}
			String server1 = "memcached server " + server.address() + " is ";
			// "is down (<reason>)" is the outage line; a failed call's own line may say "is down" too.
			assertThat(lines(log, Level.WARN, server1 + "down (")).as(log.events().toString()).hasSize(1);
			assertThat(lines(log, Level.INFO, server1 + "back")).as(log.events().toString()).hasSize(1);
			// No stream from spymemcached either: its reconnect chatter is DEBUG for our clients.
			assertThat(spymemcached.events().stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
				.map(ILoggingEvent::getFormattedMessage)).isEmpty();
		}
	}

	static List<String> lines(LogCapture log, Level level, String text) {
		return log.events().stream()
			.filter((event) -> event.getLevel() == level && event.getFormattedMessage().contains(text))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

}
