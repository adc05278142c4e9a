package io.cacheframework.backend.redis;

import java.util.List;
import java.util.Map;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-socket://} (and redis-py's {@code unix://}) locations: a server listening on a unix socket only, through
 * Netty's native transport; an outage there is a miss too, and the cache reconnects by itself.
 */
class RedisUnixSocketTests {

	@Test
	void aServerOnAUnixSocket() {
		assertThat(Epoll.isAvailable()).as("netty's native transport").isTrue();
		try (RedisServer server = RedisServer.startUnix()) {
			RedisCacheBackend socket = cache(server.location(2));
			RedisCacheBackend unix = cache("unix://" + server.address() + "?db=3");
			try (socket; unix) {
				socket.set("k", "in db 2");
				unix.set("k", "in db 3");
				assertThat(socket.get("k")).isEqualTo("in db 2");
				assertThat(unix.getMany(List.of("k"))).isEqualTo(Map.of("k", "in db 3"));
				assertThat(socket.inspectionDetails().toString()).contains("db2=1", "db3=1");
				assertThat(socket.checkHealth()).singleElement()
					.satisfies((health) -> assertThat(health.component()).isEqualTo(server.address()));
				server.kill();
				assertThat(socket.get("k")).isNull();
				server.restart();
				assertThat(RedisServer.awaitValue(() -> {
					socket.set("again", "back");
					return socket.get("again");
				})).isEqualTo("back");
			}
		}
	}

	private static RedisCacheBackend cache(String location) {
		return new RedisCacheBackend(CacheSettings.builder("socket").location(location).build(),
				RedisServerFaultTests.options(), new DefaultValueSerializer());
	}

}
