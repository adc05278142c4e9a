package io.cacheframework.backend.memcached;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import io.cacheframework.backend.memcached.MemcachedOptions.Distribution;
import io.cacheframework.backend.memcached.KetamaPlacement.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every key lands where Django's own clients put it. The oracle is the real thing: pymemcache's {@code HashClient}
 * built as Django's {@code PyMemcacheCache} builds it, and pylibmc (on the system's libmemcached) built as
 * {@code PyLibMCCache} builds it, run by {@code /usr/bin/python3} with Debian's {@code python3-pymemcache} and
 * {@code python3-pylibmc} ({@code placement_oracle.py} beside this class). "hash" asks the client where a key goes
 * without I/O; "store" sets every key through the client into real memcached servers and then finds, with plain
 * single-server gets, which server holds it; "store-down" does so after the client has ejected a killed server.
 * Keys: 3000 made keys (ASCII, Latin-1, other BMP and supplementary code points, up to 250 UTF-8 bytes) for the
 * servers, 5000 for the name forms.
 */
class DjangoClientPlacementTests {

	private static final Path PYTHON = Path.of("/usr/bin/python3");

	private static final List<String> KEYS = keys(3000, 14);

	private static final List<String> MORE_KEYS = keys(5000, 15);

	/** Node names pymemcache and libmemcached spell in different ways; nothing listens there. */
	private static final List<String> TCP_FORMS = List.of("10.0.0.1", "10.0.0.2:11212", "cache-c.example:11213",
			"[::1]:11214", "[2001:db8::5]", "cache-f.example:011216");

	private static final List<String> UNIX_FORMS = List.of("unix:/run/memcached/a.sock", "/run/memcached/b.sock",
			"unix:/tmp/c.sock");

	private static final List<MemcachedServer> SERVERS = new ArrayList<>();

	@BeforeAll
	static void startServers() {
		for (int i = 0; i < 5; i++) {
			SERVERS.add(MemcachedServer.start());
		}
	}

	@AfterAll
	static void stopServers() {
		SERVERS.forEach(MemcachedServer::close);
	}

	@AfterEach
	void restartKilledServers() {
		SERVERS.stream().filter((server) -> !server.isRunning()).forEach(MemcachedServer::restart);
	}

	@Test
	void theClientsAreInstalled() {
		assertThat(python(List.of("versions"))).singleElement().asString().contains("pymemcache", "pylibmc");
	}

	@ParameterizedTest(name = "{0} servers")
	@ValueSource(ints = { 2, 3, 5 })
	void rendezvousStoresWherePymemcacheStores(int count) {
		List<String> locations = locations(count, false);
		KeyPlacement placement = KeyPlacement.of(Distribution.RENDEZVOUS, locations);
		assertAgree("store", "rendezvous", locations, KEYS, placement::serverFor);
	}

	@ParameterizedTest(name = "{0} servers")
	@ValueSource(ints = { 2, 3, 5 })
	void ketamaStoresWherePylibmcStores(int count) {
		List<String> locations = locations(count, false);
		KeyPlacement placement = KeyPlacement.of(Distribution.KETAMA, locations);
		assertAgree("store", "ketama", locations, KEYS, placement::serverFor);
	}

	@ParameterizedTest(name = "{0} servers")
	@ValueSource(ints = { 2, 3, 5 })
	void weightedKetamaStoresWherePylibmcStores(int count) {
		List<String> locations = locations(count, true);
		KeyPlacement placement = KetamaPlacement.weighted(locations.stream().map(Server::parse).toList());
		assertAgree("store", "ketama_weighted", locations, KEYS, placement::serverFor);
	}

	@ParameterizedTest(name = "{0} servers")
	@ValueSource(ints = { 2, 3, 5 })
	void modulaStoresWherePylibmcStores(int count) {
		List<String> locations = locations(count, false);
		KeyPlacement placement = KeyPlacement.of(Distribution.MODULA, locations);
		assertAgree("store", "modula", locations, KEYS, placement::serverFor);
	}

	@Test
	void pymemcacheHashesEveryNameFormAlike() {
		for (List<String> forms : List.of(TCP_FORMS, TCP_FORMS.subList(0, 2), UNIX_FORMS)) {
			KeyPlacement placement = KeyPlacement.of(Distribution.RENDEZVOUS, forms);
			assertAgree("hash", "rendezvous", forms, MORE_KEYS, placement::serverFor);
		}
	}

	@Test
	void pylibmcHashesEveryNameFormAlike() {
		for (List<String> forms : List.of(TCP_FORMS, TCP_FORMS.subList(0, 2), UNIX_FORMS)) {
			assertAgree("hash", "ketama", forms, MORE_KEYS, KeyPlacement.of(Distribution.KETAMA, forms)::serverFor);
			assertAgree("hash", "modula", forms, MORE_KEYS, KeyPlacement.of(Distribution.MODULA, forms)::serverFor);
		}
	}

	@Test
	void pylibmcWeightsMakeEvenPlainKetamaWeighted() {
		List<String> weighted = List.of("10.0.0.1:11211:1", "10.0.0.2:11212:3", "cache-c.example:11213:2",
				"[::1]:11214:1", "[2001:db8::5]:11211:5");
		List<Server> servers = weighted.stream().map(Server::parse).toList();
		// {"ketama": True}: a weight above 1 weights the continuum, the key hash stays one-at-a-time.
		assertAgree("hash", "ketama", weighted, MORE_KEYS, KetamaPlacement.pylibmc(servers)::serverFor);
		assertAgree("hash", "ketama_weighted", weighted, MORE_KEYS, KetamaPlacement.weighted(servers)::serverFor);
		List<Server> equal = TCP_FORMS.stream().map(Server::parse).toList();
		assertAgree("hash", "ketama_weighted", TCP_FORMS, MORE_KEYS, KetamaPlacement.weighted(equal)::serverFor);
	}

	@Test
	void hashesAreLibhashkits() {
		List<String> expected = python(List.of("libhashkit", "-", keyFile(MORE_KEYS)));
		List<String> actual = MORE_KEYS.stream().map((key) -> {
			byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
			return String.format("%08x %08x", LibmemcachedHash.ONE_AT_A_TIME.hash(bytes),
					LibmemcachedHash.MD5.hash(bytes));
		}).toList();
		assertThat(actual).isEqualTo(expected);
	}

	/** pymemcache removes the killed server from its hasher after Django's two retries: its keys go to the next best. */
	@Test
	void rendezvousMovesKeysOfAnEjectedServerAsPymemcacheDoes() {
		assertEjection("rendezvous", KeyPlacement.of(Distribution.RENDEZVOUS, locations(3, false)));
	}

	/** libmemcached with remove_failed rebuilds the continuum from the live servers. */
	@Test
	void ketamaMovesKeysOfAnEjectedServerAsPylibmcDoes() {
		assertEjection("ketama", KeyPlacement.of(Distribution.KETAMA, locations(3, false)));
	}

	/** libmemcached never moves a key under modula: the keys of the ejected server fail. */
	@Test
	void modulaLeavesKeysOfAnEjectedServerUnstoredAsPylibmcDoes() {
		assertEjection("modula", KeyPlacement.of(Distribution.MODULA, locations(3, false)));
	}

	private void assertEjection(String placementName, KeyPlacement placement) {
		List<String> locations = locations(3, false);
		SERVERS.get(1).kill();
		ToIntFunction<String> expected = (key) -> placement.serverFor(key, (i) -> i != 1);
		List<Integer> actual = assertAgree("store-down:1", placementName, locations, KEYS, expected);
		long unstored = actual.stream().filter((server) -> server == -1).count();
		long ofTheKilled = KEYS.stream().filter((key) -> placement.serverFor(key) == 1).count();
		// The scenario really happened: a third of the keys lost their server, and moved or failed.
		assertThat(ofTheKilled).isBetween(600L, 1400L);
		assertThat(unstored).isEqualTo(placementName.equals("modula") ? ofTheKilled : 0);
	}

	private static List<Integer> assertAgree(String mode, String placement, List<String> servers, List<String> keys,
			ToIntFunction<String> java) {
		List<String> command = new ArrayList<>(List.of(mode, placement, keyFile(keys)));
		command.addAll(servers);
		List<Integer> python = python(command).stream().map(Integer::valueOf).toList();
		assertThat(python).hasSize(keys.size());
		List<String> disagreements = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			int ours = java.applyAsInt(keys.get(i));
			if (ours != python.get(i)) {
				disagreements.add(describe(keys.get(i)) + ": Python " + python.get(i) + ", Java " + ours);
			}
		}
		assertThat(disagreements).as("%s %s over %s: %d of %d keys disagree", mode, placement, servers,
				disagreements.size(), keys.size()).isEmpty();
		// Every (live) server takes keys: the check is not vacuous.
		assertThat(python.stream().filter((server) -> server >= 0).distinct().count())
			.isEqualTo(mode.startsWith("store-down") ? servers.size() - 1 : servers.size());
		return python;
	}

	private static String describe(String key) {
		return key.codePoints().allMatch((c) -> c > 32 && c < 127) ? key
				: key + " (UTF-8 " + HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)) + ")";
	}

	private static List<String> locations(int count, boolean weighted) {
		List<String> locations = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			locations.add(SERVERS.get(i).location() + (weighted ? ":" + (i + 1) : ""));
		}
		return locations;
	}

	private static String keyFile(List<String> keys) {
		try {
			Path file = Files.createTempFile("placement-keys", ".hex");
			file.toFile().deleteOnExit();
			Files.write(file,
					keys.stream().map((key) -> HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8))).toList());
			return file.toString();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Runs the oracle; fails loudly when Python or a client library is missing (never skips). */
	private static List<String> python(List<String> arguments) {
		assertThat(PYTHON).as("these tests need Debian's Python with its clients: "
				+ "apt-get install -y python3-pymemcache python3-pylibmc").isExecutable();
		List<String> command = new ArrayList<>(List.of(PYTHON.toString(), oracle().toString()));
		command.addAll(arguments);
		try {
			Path errors = Files.createTempFile("placement-oracle", ".err");
			ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
			// The system Python with the system's packages, whatever Python environment the build runs in.
			builder.environment().keySet().removeIf((name) -> name.startsWith("PYTHON"));
			Process process = builder.start();
			List<String> lines;
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				lines = reader.lines().toList();
			}
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("placement_oracle.py did not finish within 120 s: " + arguments);
			}
			String stderr = Files.readString(errors);
			Files.delete(errors);
			assertThat(process.exitValue()).as("placement_oracle.py %s failed (apt-get install -y python3-pymemcache "
					+ "python3-pylibmc?):%n%s", arguments, stderr).isZero();
			return lines;
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot run " + command + ": " + ex, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static Path oracle() {
		try {
			return Path.of(DjangoClientPlacementTests.class.getResource("placement_oracle.py").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Made keys of every kind Django sends: version prefixes, ASCII, Latin-1, other BMP and supplementary code
	 * points, and long keys, each at most 250 UTF-8 bytes (pymemcache's and libmemcached's limit).
	 */
	static List<String> keys(int count, long seed) {
		Random random = new Random(seed);
		Set<String> keys = new LinkedHashSet<>(List.of(":1:foo", ":1:bar", ":1:a", ":1:\u00e9", ":1:\u0129",
				":1:\u4e2d\u6587", ":1:\ud83d\ude00", ":1:" + "x".repeat(247)));
		while (keys.size() < count) {
			String body = switch (random.nextInt(5)) {
				case 0 -> text(random, 1 + random.nextInt(40), false);
				case 1 -> text(random, 180 + random.nextInt(67), false);
				case 2 -> text(random, 1 + random.nextInt(30), true);
				case 3 -> text(random, 40 + random.nextInt(40), true);
				default -> "views.decorators.cache.cache_page..GET." + Long.toHexString(random.nextLong());
			};
			String key = ":" + (1 + random.nextInt(3)) + ":" + body;
			if (key.getBytes(StandardCharsets.UTF_8).length <= 250) {
				keys.add(key);
			}
		}
		return List.copyOf(keys);
	}

	private static String text(Random random, int length, boolean unicode) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			int kind = unicode ? random.nextInt(4) : 0;
			text.appendCodePoint(switch (kind) {
				case 0 -> 33 + random.nextInt(94);
				case 1 -> 0xA1 + random.nextInt(0x100 - 0xA1);
				case 2 -> 0x100 + random.nextInt(0xD7FF - 0x100);
				default -> 0x10000 + random.nextInt(0x1FFFF - 0x10000);
			});
		}
		return text.toString();
	}

}
