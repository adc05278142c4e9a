package io.cacheframework.backend.memcached;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SpyKetamaPlacement} against spymemcached's own Ketama locator (the one the TCP transport used before it
 * placed keys itself): the same server for every key, and the same server once some are down, as spymemcached's
 * {@code FailureMode.Redistribute} picks it from its rehash sequence. An upgrade must not move a single key.
 */
class SpyKetamaPlacementTests {

	@Test
	void placesEveryKeyWhereSpymemcachedsKetamaLocatorDoes() throws Exception {
		Random random = new Random(13);
		for (int count = 1; count <= 5; count++) {
			List<InetSocketAddress> addresses = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				// Both of spymemcached's name forms: "127.0.0.1:port" and "localhost/127.0.0.1:port". Distinct
				// ports (nothing needs to listen: no request is sent), or spymemcached's locator refuses the list.
				int port = 41000 + count * 10 + i;
				addresses.add((i % 2 == 0) ? new InetSocketAddress("127.0.0.1", port)
						: new InetSocketAddress("localhost", port));
			}
			MemcachedClient client = new MemcachedClient(
					new ConnectionFactoryBuilder().setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
						.setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
						.setDaemon(true)
						.build(),
					addresses);
			try {
				NodeLocator spymemcached = client.getNodeLocator();
				List<MemcachedNode> nodes = new ArrayList<>(spymemcached.getAll());
				SpyKetamaPlacement placement = SpyKetamaPlacement.of(addresses);
				assertThat(placement.serverCount()).isEqualTo(count);
				for (String key : DjangoClientPlacementTests.keys(2000, count)) {
					int primary = placement.serverFor(key);
					assertThat(nodes.get(primary).getSocketAddress()).as(key)
						.isEqualTo(spymemcached.getPrimary(key).getSocketAddress());
					// A random set of live servers, the primary among the dead ones.
					int[] live = random.ints(count, 0, 2).toArray();
					live[primary] = 0;
					IntPredicate isLive = (server) -> live[server] == 1;
					int moved = placement.serverFor(key, isLive);
					MemcachedNode expected = redistributed(spymemcached, key, nodes, isLive);
					assertThat((moved < 0) ? null : nodes.get(moved).getSocketAddress()).as(key)
						.isEqualTo((expected != null) ? expected.getSocketAddress() : null);
				}
			}
			finally {
				client.shutdown(1, TimeUnit.SECONDS);
			}
		}
	}

	/** {@code MemcachedConnection.addOperation} in redistribute mode, for an inactive primary. */
	private static MemcachedNode redistributed(NodeLocator locator, String key, List<MemcachedNode> nodes,
			IntPredicate live) {
		Iterator<MemcachedNode> sequence = locator.getSequence(key);
		while (sequence.hasNext()) {
			MemcachedNode candidate = sequence.next();
			for (int i = 0; i < nodes.size(); i++) {
				if (nodes.get(i).getSocketAddress().equals(candidate.getSocketAddress()) && live.test(i)) {
					return candidate;
				}
			}
		}
		return null;
	}

	@Test
	void aSingleServerTakesEveryKeyAndUnixSocketsAreNamedByTheirPath() {
		SpyKetamaPlacement one = SpyKetamaPlacement.of(List.of(java.net.UnixDomainSocketAddress.of("/run/a.sock")));
		assertThat(one.serverFor(":1:anything")).isZero();
		assertThat(one.serverFor(":1:anything", (server) -> false)).isEqualTo(-1);
		SpyKetamaPlacement two = SpyKetamaPlacement.of(List.of(java.net.UnixDomainSocketAddress.of("/run/a.sock"),
				java.net.UnixDomainSocketAddress.of("/run/b.sock")));
		SpyKetamaPlacement named = new SpyKetamaPlacement(List.of("run/a.sock", "run/b.sock"));
		for (String key : DjangoClientPlacementTests.keys(500, 1)) {
			assertThat(two.serverFor(key)).isEqualTo(named.serverFor(key));
		}
	}

}
