package io.cacheframework.backend.memcached;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY.md §7 A4, failback staleness, on the three-server cluster the plan describes: the server holding
 * {@code k} and {@code j} is partitioned (SIGSTOP: it keeps its memory) while {@code k} is rewritten and {@code j}
 * deleted, which, with the default {@code failure-mode: redistribute}, lands on another server. When it answers
 * again it must not serve the pre-outage {@code v1} nor the deleted {@code j}: with {@code flush-after-outage: true}
 * it is flushed before it is used again. (That option is off by default, as in Django, because the flush also
 * empties other applications' keys on that server; {@code MemcachedOutageTests} covers one server, TCP and unix.)
 *
 * <p>Timing: operation timeout 300 ms, 3 timeouts make the server hung, reconnect delay 1 s; it must be alive again
 * within 10 s of SIGCONT.
 */
class MemcachedFailbackFaultTests {

	private final List<MemcachedServer> servers = new ArrayList<>();

	@BeforeEach
	void startServers() {
		for (int i = 0; i < 3; i++) {
			this.servers.add(MemcachedServer.start());
		}
	}

	@AfterEach
	void stopServers() {
		this.servers.forEach(MemcachedServer::close);
	}

	@Test
	void aPartitionedServerThatComesBackServesNeitherOldValuesNorDeletedKeys() throws Exception {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		options.setFlushAfterOutage(true);
		String location = String.join(",", this.servers.stream().map(MemcachedServer::location).toList());
		MemcachedServer partitioned = this.servers.get(1);
		try (MemcachedCacheBackend backend = new MemcachedCacheBackend(
				CacheSettings.builder("failback").location(location).build(), options, new DefaultValueSerializer())) {
			CacheBackend cache = backend;
			List<String> onPartitioned = new ArrayList<>();
			for (int i = 0; onPartitioned.size() < 3; i++) {
				cache.set("key" + i, "v1");
				if (partitioned.rawGet(":1:key" + i) != null) {
					onPartitioned.add("key" + i);
				}
			}
			String k = onPartitioned.get(0);
			String j = onPartitioned.get(1);
			String other = onPartitioned.get(2);
			cache.set(j, "deleted during the partition");
			partitioned.pause();
			try {
				for (int i = 0; i < 5; i++) {
					// Timeouts: after 3 the server counts as hung and its keys go to the others.
					cache.get(other);
				}
				cache.set(k, "v2");
				cache.delete(j);
				assertThat(cache.get(k)).as("k during the partition").isIn(null, "v2");
			}
			finally {
				partitioned.resume();
			}
			assertThat(MemcachedClusterTests.awaitAlive(backend, partitioned.address(), true)).isTrue();
			for (int i = 0; i < 20; i++) {
				assertThat(cache.get(k)).as("k after failback").isIn(null, "v2");
				assertThat(cache.get(j)).as("j after failback").isNull();
				MemcachedServer.sleep(50);
			}
			assertThat(partitioned.rawGet(":1:" + k)).as("the pre-outage value on the partitioned server").isNull();
			cache.set(k, "v3");
			assertThat(cache.get(k)).isEqualTo("v3");
			assertThat(partitioned.rawGet(":1:" + k)).as("k maps to its server again").isNotNull();
		}
	}

}
