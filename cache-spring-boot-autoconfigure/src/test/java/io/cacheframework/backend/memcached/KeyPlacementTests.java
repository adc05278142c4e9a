package io.cacheframework.backend.memcached;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.cacheframework.backend.memcached.MemcachedOptions.Distribution;
import io.cacheframework.backend.memcached.KetamaPlacement.Server;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The three placements on their own: published vectors, node names, and what happens to keys when servers drop out.
 * {@link DjangoClientPlacementTests} checks them against the real Python clients.
 */
class KeyPlacementTests {

	private static final List<String> THREE = List.of("127.0.0.1:11211", "127.0.0.1:11212", "127.0.0.1:11213");

	private static final List<String> FIVE = List.of("10.0.0.1", "10.0.0.2:11212", "cache-c.example:11213",
			"[::1]:11214", "[2001:db8::5]");

	private static List<String> keys(int count) {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			keys.add(":" + (1 + i % 3) + ":key-" + i + ((i % 7 == 0) ? "-é-中-😀" : ""));
		}
		return keys;
	}

	@Test
	void murmur3MatchesPymemcache() {
		assertThat(RendezvousPlacement.murmur3("hello")).isEqualTo(0x248bfa47);
		// One byte per code point, its low eight bits: U+0168 and U+1F668 hash as "h" (0x68).
		assertThat(RendezvousPlacement.murmur3("\u0168ello")).isEqualTo(0x248bfa47);
		assertThat(RendezvousPlacement.murmur3(new StringBuilder().appendCodePoint(0x1F668).append("ello")))
			.isEqualTo(0x248bfa47);
		assertThat(RendezvousPlacement.murmur3("hellO")).isNotEqualTo(0x248bfa47);
	}

	@Test
	void rendezvousVectorsOfPymemcache352() {
		KeyPlacement placement = KeyPlacement.of(Distribution.RENDEZVOUS, THREE);
		assertThat(placement.serverFor(":1:foo")).isEqualTo(0);
		assertThat(placement.serverFor(":1:bar")).isEqualTo(1);
		assertThat(placement.serverFor(":1:a")).isEqualTo(2);
	}

	@Test
	void pymemcacheNodeNames() {
		assertThat(RendezvousPlacement.nodeName("127.0.0.1:11211")).isEqualTo("127.0.0.1:11211");
		assertThat(RendezvousPlacement.nodeName("cache.example")).isEqualTo("cache.example:11211");
		assertThat(RendezvousPlacement.nodeName("cache.example:011212")).isEqualTo("cache.example:11212");
		assertThat(RendezvousPlacement.nodeName("[::1]:11212")).isEqualTo("::1:11212");
		assertThat(RendezvousPlacement.nodeName("[::1]")).isEqualTo("::1:11211");
		assertThat(RendezvousPlacement.nodeName("unix:/run/memcached.sock")).isEqualTo("/run/memcached.sock");
		assertThat(RendezvousPlacement.nodeName("/run/memcached.sock")).isEqualTo("/run/memcached.sock");
	}

	@Test
	void pylibmcServers() {
		assertThat(Server.parse("10.0.0.1")).isEqualTo(new Server("10.0.0.1", 11211, 1));
		assertThat(Server.parse("10.0.0.1:11212")).isEqualTo(new Server("10.0.0.1", 11212, 1));
		assertThat(Server.parse("10.0.0.1:11212:3")).isEqualTo(new Server("10.0.0.1", 11212, 3));
		assertThat(Server.parse("[::1]:11212:2")).isEqualTo(new Server("::1", 11212, 2));
		assertThat(Server.parse("[::1]")).isEqualTo(new Server("::1", 11211, 1));
		assertThat(Server.parse("unix:/run/memcached.sock")).isEqualTo(new Server("/run/memcached.sock", 0, 1));
		assertThat(Server.parse("/run/memcached.sock")).isEqualTo(new Server("/run/memcached.sock", 0, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> Server.parse("[::1"));
		assertThatIllegalArgumentException().isThrownBy(() -> Server.parse("10.0.0.1:11212:0"));
	}

	@Test
	void pythonStringOrderComparesCodePoints() {
		String supplementary = new StringBuilder().appendCodePoint(0x1F600).toString();
		// UTF-16 puts U+FFFD after the surrogates of U+1F600; Python's str (and pymemcache's tie) puts it before.
		assertThat("\uFFFD".compareTo(supplementary)).isPositive();
		assertThat(RendezvousPlacement.comparePython("\uFFFD", supplementary)).isNegative();
		assertThat(RendezvousPlacement.comparePython("a", "ab")).isNegative();
		assertThat(RendezvousPlacement.comparePython("b", "ab")).isPositive();
		assertThat(RendezvousPlacement.comparePython("ab", "ab")).isZero();
	}

	@Test
	void oneAtATimeVectors() {
		// Bob Jenkins' published values, and libhashkit's (x86-64) for a non-ASCII key: bytes enter sign-extended.
		assertThat(oneAtATime("a")).isEqualTo(0xca2e9442);
		assertThat(oneAtATime("The quick brown fox jumps over the lazy dog")).isEqualTo(0x519e91f5);
		assertThat(oneAtATime("é")).isEqualTo(0x019148ae);
	}

	private static int oneAtATime(String text) {
		return LibmemcachedHash.ONE_AT_A_TIME.hash(text.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void everyPlacementUsesEveryServer() {
		for (KeyPlacement placement : List.of(KeyPlacement.of(Distribution.RENDEZVOUS, FIVE),
				KeyPlacement.of(Distribution.KETAMA, FIVE), KeyPlacement.of(Distribution.MODULA, FIVE))) {
			int[] counts = new int[5];
			keys(5000).forEach((key) -> counts[placement.serverFor(key)]++);
			// An even share is 1000; Ketama's 100 points per server make it the least even of the three.
			assertThat(Arrays.stream(counts).boxed().toList()).as(placement.getClass().getSimpleName())
				.allSatisfy((count) -> assertThat(count).isBetween(500, 1600));
		}
	}

	@Test
	void oneServerTakesEveryKey() {
		for (Distribution distribution : Distribution.values()) {
			KeyPlacement placement = KeyPlacement.of(distribution, List.of("10.0.0.1:11212"));
			assertThat(keys(100)).allSatisfy((key) -> assertThat(placement.serverFor(key)).isZero());
			assertThat(placement.serverFor(":1:k", (i) -> false)).isEqualTo(-1);
		}
	}

	@Test
	void rendezvousMovesOnlyTheKeysOfADeadServerAsIfItWereNeverListed() {
		KeyPlacement five = KeyPlacement.of(Distribution.RENDEZVOUS, FIVE);
		List<String> withoutThird = new ArrayList<>(FIVE);
		withoutThird.remove(2);
		KeyPlacement four = KeyPlacement.of(Distribution.RENDEZVOUS, withoutThird);
		int moved = 0;
		for (String key : keys(3000)) {
			int before = five.serverFor(key);
			int after = five.serverFor(key, (i) -> i != 2);
			assertThat(after).isNotEqualTo(2);
			assertThat(after).isEqualTo(renumber(four.serverFor(key), 2));
			if (before != 2) {
				assertThat(after).isEqualTo(before);
			}
			else {
				moved++;
			}
		}
		assertThat(moved).isBetween(400, 800);
	}

	@Test
	void ketamaEjectionIsTheContinuumOfTheLiveServers() {
		KeyPlacement five = KeyPlacement.of(Distribution.KETAMA, FIVE);
		List<String> withoutThird = new ArrayList<>(FIVE);
		withoutThird.remove(2);
		KeyPlacement four = KeyPlacement.of(Distribution.KETAMA, withoutThird);
		for (String key : keys(3000)) {
			int before = five.serverFor(key);
			int after = five.serverFor(key, (i) -> i != 2);
			assertThat(after).isEqualTo(renumber(four.serverFor(key), 2));
			if (before != 2) {
				assertThat(after).isEqualTo(before);
			}
		}
	}

	@Test
	void weightedKetamaRebuildsItsSharesForTheLiveServers() {
		List<Server> servers = List.of(new Server("10.0.0.1", 11211, 1), new Server("10.0.0.2", 11211, 1),
				new Server("10.0.0.3", 11211, 3), new Server("10.0.0.4", 11211, 2));
		KetamaPlacement all = KetamaPlacement.weighted(servers);
		KetamaPlacement withoutFirst = KetamaPlacement.weighted(servers.subList(1, 4));
		KetamaPlacement withoutLast = KetamaPlacement.weighted(servers.subList(0, 3));
		int[] counts = new int[4];
		int moved = 0;
		for (String key : keys(2000)) {
			int before = all.serverFor(key);
			counts[before]++;
			// Two live sets in turn: the continuum kept for one must not answer for the other.
			int after = all.serverFor(key, (i) -> i != 0);
			assertThat(after).isEqualTo(withoutFirst.serverFor(key) + 1);
			assertThat(all.serverFor(key, (i) -> i != 3)).isEqualTo(withoutLast.serverFor(key));
			if (before != 0 && after != before) {
				moved++;
			}
		}
		// Unlike the unweighted continuum, the shares change: a few keys of live servers move too.
		assertThat(moved).isPositive();
		// Shares 1/7, 1/7, 3/7, 2/7 of 2000 keys: 286, 286, 857, 571.
		assertThat(counts[2]).isBetween(650, 1050);
		assertThat(counts[0]).isBetween(170, 400);
	}

	@Test
	void ketamaWithAWeightAboveOneIsWeighted() {
		List<Server> equal = List.of(new Server("10.0.0.1", 11211, 1), new Server("10.0.0.2", 11211, 1));
		List<Server> heavy = List.of(new Server("10.0.0.1", 11211, 1), new Server("10.0.0.2", 11211, 4));
		KeyPlacement weighted = KetamaPlacement.pylibmc(heavy);
		KeyPlacement unweighted = KetamaPlacement.pylibmc(equal);
		int[] counts = new int[2];
		keys(4000).forEach((key) -> counts[weighted.serverFor(key)]++);
		assertThat(counts[1]).isBetween(2800, 3600);
		int[] even = new int[2];
		keys(4000).forEach((key) -> even[unweighted.serverFor(key)]++);
		assertThat(even[1]).isBetween(1400, 2600);
	}

	@Test
	void modulaNeverMovesAKey() {
		KeyPlacement five = KeyPlacement.of(Distribution.MODULA, FIVE);
		for (String key : keys(2000)) {
			int before = five.serverFor(key);
			int after = five.serverFor(key, (i) -> i != 2);
			assertThat(after).isEqualTo((before == 2) ? -1 : before);
			assertThat(five.preference(key)).containsExactly(before);
		}
	}

	@Test
	void preferenceIsTheOrderKeysMoveIn() {
		for (Distribution distribution : List.of(Distribution.RENDEZVOUS, Distribution.KETAMA)) {
			KeyPlacement five = KeyPlacement.of(distribution, FIVE);
			for (String key : keys(500)) {
				int[] order = five.preference(key);
				assertThat(order).hasSize(5);
				assertThat(Arrays.stream(order).sorted().toArray()).containsExactly(0, 1, 2, 3, 4);
				assertThat(order[0]).isEqualTo(five.serverFor(key));
				int second = five.serverFor(key, (i) -> i != order[0]);
				assertThat(order[1]).isEqualTo(second);
				// With the first two down, the key goes to the third, whichever others are down as well.
				assertThat(five.serverFor(key, (i) -> i != order[0] && i != order[1] && i != order[4]))
					.isEqualTo(order[2]);
			}
		}
	}

	@Test
	void aPlacementNeedsAServer() {
		for (Distribution distribution : Distribution.values()) {
			assertThatIllegalArgumentException().isThrownBy(() -> KeyPlacement.of(distribution, List.of()));
		}
	}

	/** An index of the list without {@code removed} as an index of the full list. */
	private static int renumber(int index, int removed) {
		return (index >= removed) ? index + 1 : index;
	}

	@Test
	void keysOfTheSameLowBytesShareARendezvousServer() {
		KeyPlacement placement = KeyPlacement.of(Distribution.RENDEZVOUS, FIVE);
		// U+00E9 and U+01E9, U+0041 and U+1F641: the same low byte, so pymemcache cannot tell them apart.
		IntStream.range(0, 200).forEach((i) -> {
			assertThat(placement.serverFor(":1:\u00e9" + i)).isEqualTo(placement.serverFor(":1:\u01e9" + i));
			assertThat(placement.serverFor(":1:A" + i))
				.isEqualTo(placement.serverFor(":1:" + new StringBuilder().appendCodePoint(0x1F641) + i));
		});
	}

}
