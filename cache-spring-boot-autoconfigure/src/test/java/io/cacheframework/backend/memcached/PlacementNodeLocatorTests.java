package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.memcached.MemcachedOptions.Distribution;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.MemcachedNodeROImpl;
import net.spy.memcached.NodeLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * spymemcached with {@link PlacementNodeLocator}, on three real memcached servers: keys land where the placement
 * (and so Django's client) puts them, and spymemcached's own redistribution follows the placement when a server dies.
 */
class PlacementNodeLocatorTests {

	private final List<MemcachedServer> servers = new ArrayList<>();

	private MemcachedClient client;

	@BeforeEach
	void startServers() {
		for (int i = 0; i < 3; i++) {
			this.servers.add(MemcachedServer.start());
		}
	}

	@AfterEach
	void stop() {
		if (this.client != null) {
			this.client.shutdown(1, TimeUnit.SECONDS);
		}
		this.servers.forEach(MemcachedServer::close);
	}

	private KeyPlacement connect(Distribution distribution) throws IOException {
		List<String> locations = this.servers.stream().map(MemcachedServer::location).toList();
		KeyPlacement placement = KeyPlacement.of(distribution, locations);
		List<InetSocketAddress> addresses = this.servers.stream()
			.map((server) -> new InetSocketAddress("127.0.0.1", server.port()))
			.toList();
		this.client = new MemcachedClient(new DefaultConnectionFactory() {

			@Override
			public NodeLocator createLocator(List<MemcachedNode> nodes) {
				return new PlacementNodeLocator(placement, nodes);
			}

		}, addresses);
		return placement;
	}

	/** ASCII keys (MemcachedServer's raw reads are ASCII): the oracle tests cover the rest of the key space. */
	private static List<String> asciiKeys(int count, long seed) {
		return DjangoClientPlacementTests.keys(count * 3, seed).stream()
			.filter((key) -> key.chars().allMatch((c) -> c < 127))
			.limit(count)
			.toList();
	}

	@Test
	void spymemcachedStoresEachKeyOnItsPlacedServer() throws Exception {
		for (Distribution distribution : Distribution.values()) {
			KeyPlacement placement = connect(distribution);
			List<String> keys = asciiKeys(300, distribution.ordinal());
			for (String key : keys) {
				assertThat(this.client.set(key, 0, "v").get(5, TimeUnit.SECONDS)).isTrue();
			}
			for (String key : keys) {
				assertThat(this.servers.get(placement.serverFor(key)).rawGet(key)).as("%s %s", distribution, key)
					.isNotNull();
			}
			// Each key on its server and nowhere else.
			long stored = 0;
			for (MemcachedServer server : this.servers) {
				stored += server.stat("curr_items");
				server.command("flush_all");
			}
			assertThat(stored).isEqualTo(keys.size());
			this.client.shutdown(1, TimeUnit.SECONDS);
		}
	}

	@Test
	void redistributionFollowsTheRendezvousOrder() throws Exception {
		KeyPlacement placement = connect(Distribution.RENDEZVOUS);
		NodeLocator locator = this.client.getNodeLocator();
		List<String> keys = asciiKeys(300, 7).stream()
			.filter((key) -> placement.serverFor(key) == 1)
			.toList();
		assertThat(keys).hasSizeGreaterThan(50);
		this.servers.get(1).kill();
		// spymemcached reads an idle connection only for a reply: one request makes it notice the closed socket.
		try {
			this.client.asyncGet(keys.get(0)).get(2, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// Expected: the server is gone.
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (isActive(1) && System.nanoTime() < deadline) {
			MemcachedServer.sleep(20);
		}
		assertThat(isActive(1)).as("spymemcached noticed the killed server").isFalse();
		for (String key : keys) {
			assertThat(this.client.set(key, 0, "v").get(5, TimeUnit.SECONDS)).isTrue();
			int expected = placement.serverFor(key, (i) -> i != 1);
			assertThat(this.servers.get(expected).rawGet(key)).as(key).isNotNull();
			assertThat(locator.getSequence(key).next().getSocketAddress())
				.isEqualTo(locator.getAll().toArray(new MemcachedNode[0])[expected].getSocketAddress());
		}
	}

	private boolean isActive(int index) {
		PlacementNodeLocator locator = (PlacementNodeLocator) this.client.getConnection().getLocator();
		return new ArrayList<>(locator.getAll()).get(index).isActive();
	}

	@Test
	void nodeForAnswersForAnyLiveSet() throws Exception {
		KeyPlacement placement = connect(Distribution.KETAMA);
		PlacementNodeLocator locator = (PlacementNodeLocator) this.client.getConnection().getLocator();
		List<MemcachedNode> nodes = new ArrayList<>(locator.getAll());
		for (String key : DjangoClientPlacementTests.keys(200, 3)) {
			assertThat(locator.getPrimary(key)).isSameAs(nodes.get(placement.serverFor(key)));
			assertThat(locator.nodeFor(key, (node) -> node != nodes.get(0)))
				.isSameAs(nodes.get(placement.serverFor(key, (i) -> i != 0)));
			assertThat(locator.nodeFor(key, (node) -> false)).isNull();
		}
	}

	@Test
	void readonlyCopyPlacesAlike() throws Exception {
		KeyPlacement placement = connect(Distribution.MODULA);
		NodeLocator copy = this.client.getNodeLocator();
		assertThat(copy.getAll()).allSatisfy((node) -> assertThat(node).isInstanceOf(MemcachedNodeROImpl.class));
		List<MemcachedNode> nodes = new ArrayList<>(copy.getAll());
		for (String key : DjangoClientPlacementTests.keys(200, 5)) {
			assertThat(copy.getPrimary(key)).isSameAs(nodes.get(placement.serverFor(key)));
			// Modula never moves a key: no backup node.
			assertThat(copy.getSequence(key).hasNext()).isFalse();
		}
	}

}
