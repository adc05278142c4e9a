package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.Python;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One memcached cluster of three real servers shared with a real Django 3.2 application (Debian's
 * {@code python3-django} with {@code python3-pymemcache} and {@code python3-pylibmc}, run by {@code /usr/bin/python3}
 * on {@code django_memcached_peer.py} beside this class, which configures {@code CACHES} and uses
 * {@code django.core.cache.cache}). For each of Django's memcached backends and the matching
 * {@code options.distribution}: every key one side writes the other reads, on the same server; Django's pickles are
 * Java data; a hostile pickle runs nothing in Java; with {@code value-format: pickle} Django reads Java's maps,
 * lists and numbers as Python's; and a key of a down server goes where Django's client sends it.
 */
class MemcachedDjangoSharingTests {

	private static final int KEYS = 150;

	private static final List<MemcachedServer> SERVERS = new ArrayList<>();

	private final List<MemcachedCacheBackend> caches = new ArrayList<>();

	/** Django's memcached backends (as the peer names them) and the distribution that shares keys with each. */
	enum Client {

		PYMEMCACHE("pymemcache", MemcachedOptions.Distribution.RENDEZVOUS),

		PYLIBMC("pylibmc", MemcachedOptions.Distribution.MODULA),

		PYLIBMC_KETAMA("pylibmc-ketama", MemcachedOptions.Distribution.KETAMA);

		final String peer;

		final MemcachedOptions.Distribution distribution;

		Client(String peer, MemcachedOptions.Distribution distribution) {
			this.peer = peer;
			this.distribution = distribution;
		}

	}

	@BeforeAll
	static void startServers() {
		for (int i = 0; i < 3; i++) {
			SERVERS.add(MemcachedServer.start());
		}
	}

	@AfterAll
	static void stopServers() {
		SERVERS.forEach(MemcachedServer::close);
	}

	@BeforeEach
	void flush() throws IOException {
		for (MemcachedServer server : SERVERS) {
			if (!server.isRunning()) {
				server.restart();
			}
			server.command("flush_all");
		}
	}

	@AfterEach
	void closeCaches() {
		this.caches.forEach(MemcachedCacheBackend::close);
	}

	private static String location() {
		return String.join(",", SERVERS.stream().map(MemcachedServer::location).toList());
	}

	/** A Java cache on the cluster; {@code null} distribution: the default, unset. */
	private MemcachedCacheBackend java(MemcachedOptions.Distribution distribution, ValueCodec.Format format) {
		MemcachedOptions options = MemcachedClusterTests.fastOptions();
		if (distribution != null) {
			options.setDistribution(distribution);
		}
		options.setValueFormat(format);
		MemcachedCacheBackend cache = new MemcachedCacheBackend(
				CacheSettings.builder("shared").location(location()).build(), options, new DefaultValueSerializer());
		this.caches.add(cache);
		return cache;
	}

	private MemcachedCacheBackend java(Client client) {
		// Rendezvous is the default: leave it unset to prove it.
		return java((client == Client.PYMEMCACHE) ? null : client.distribution, ValueCodec.Format.JAVA);
	}

	@ParameterizedTest
	@EnumSource(Client.class)
	void djangoAndJavaReadEachOthersKeysOnTheSameServers(Client client) throws Exception {
		MemcachedCacheBackend cache = java(client);
		django(client.peer, "write", "django", String.valueOf(KEYS));
		int[] perServer = new int[SERVERS.size()];
		for (int i = 0; i < KEYS; i++) {
			assertThat(cache.get("django" + i)).as("django%d", i).isEqualTo("value-" + i);
			String key = cache.makeKey("django" + i);
			int holder = holder(key);
			perServer[holder]++;
			assertThat(SERVERS.get(holder).address()).as("the server of %s", key).isEqualTo(cache.serverFor(key));
		}
		for (int count : perServer) {
			// Every server takes keys: the agreement is not vacuous.
			assertThat(count).isGreaterThan(KEYS / 10);
		}
		for (int i = 0; i < KEYS; i++) {
			cache.set("java" + i, "value-" + i);
		}
		List<String> read = django(client.peer, "read", "java", String.valueOf(KEYS));
		for (int i = 0; i < KEYS; i++) {
			assertThat(read.get(i)).as("java%d in Django", i).isEqualTo("value-" + i);
		}
	}

	/** Which single server holds a key, by a plain get on each; fails if none or several do. */
	private static int holder(String key) throws IOException {
		int holder = -1;
		for (int s = 0; s < SERVERS.size(); s++) {
			if (SERVERS.get(s).rawGet(key) != null) {
				assertThat(holder).as("%s on two servers", key).isEqualTo(-1);
				holder = s;
			}
		}
		assertThat(holder).as("%s on no server", key).isNotEqualTo(-1);
		return holder;
	}

	@ParameterizedTest
	@ValueSource(strings = { "pymemcache", "pylibmc" })
	void djangosPicklesReadAsTheDocumentedJavaValues(String peer) throws Exception {
		MemcachedCacheBackend cache = java((peer.equals("pymemcache")) ? null : MemcachedOptions.Distribution.MODULA,
				ValueCodec.Format.JAVA);
		django(peer, "write-typed");
		Map<String, Object> dict = new LinkedHashMap<>();
		dict.put("int", 42);
		dict.put("negative", -7);
		dict.put("long", 1L << 40);
		dict.put("float", 1.5);
		dict.put("none", null);
		dict.put("true", true);
		dict.put("false", false);
		dict.put("text", "h\u00e9llo \u2713");
		dict.put("big", BigInteger.TWO.pow(70));
		Object read = cache.get("dict");
		assertThat(read).isInstanceOf(LinkedHashMap.class).isEqualTo(dict);
		assertThat(new ArrayList<Object>(((Map<?, ?>) read).keySet())).containsExactlyElementsOf(dict.keySet());
		assertThat(((Map<?, ?>) read).get("int")).isExactlyInstanceOf(Integer.class);
		assertThat(((Map<?, ?>) read).get("long")).isExactlyInstanceOf(Long.class);
		assertThat(((Map<?, ?>) read).get("float")).isExactlyInstanceOf(Double.class);
		assertThat(cache.get("tuple")).isEqualTo(Arrays.asList(1, "two", 3.0));
		assertThat(cache.get("set")).isEqualTo(Set.of(1, 2, 3));
		assertThat(cache.get("naive")).isEqualTo(LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000));
		assertThat(cache.get("utc"))
			.isEqualTo(OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000, ZoneOffset.UTC));
		assertThat(cache.get("date")).isEqualTo(LocalDate.of(2024, 2, 29));
		assertThat(cache.get("timedelta")).isEqualTo(Duration.ofDays(1).plusSeconds(3).plusNanos(5_000));
		assertThat(cache.get("decimal")).isEqualTo(new BigDecimal("3.14159"));
		assertThat(cache.statistics().errors()).isZero();
	}

	/**
	 * A pickle whose unpickling calls {@code os.system("touch <marker>")}, set through Django: a miss in Java, the
	 * command never runs, the entry stays; Django itself, unpickling it, does run it (the pickle really is hostile).
	 */
	@Test
	void aPickleCallingOsSystemIsAMissAndRunsNothing(@TempDir Path directory) throws Exception {
		Path marker = directory.resolve("ran");
		MemcachedCacheBackend cache = java(Client.PYMEMCACHE);
		django("pymemcache", "write-hostile", "hostile", marker.toString());
		assertThat(cache.getOrDefault("hostile", "default")).isEqualTo("default");
		assertThat(cache.getMany(List.of("hostile"))).isEmpty();
		assertThat(marker).doesNotExist();
		assertThat(SERVERS.get(holder(cache.makeKey("hostile"))).rawGet(cache.makeKey("hostile")).flags())
			.isEqualTo(1);
		django("pymemcache", "describe", "hostile");
		assertThat(marker).exists();
	}

	@ParameterizedTest
	@ValueSource(strings = { "pymemcache", "pylibmc" })
	void djangoReadsJavasValuesWrittenAsPickles(String peer) throws Exception {
		MemcachedCacheBackend cache = java((peer.equals("pymemcache")) ? null : MemcachedOptions.Distribution.MODULA,
				ValueCodec.Format.PICKLE);
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("name", "guyan");
		map.put("age", 42);
		map.put("langs", List.of("python", "java"));
		cache.set("map", map);
		cache.set("list", Arrays.asList(1, "x", null, 2.5));
		cache.set("double", 2.5);
		cache.set("boolean", true);
		cache.set("decimal", new BigDecimal("1.10"));
		cache.set("date", LocalDate.of(2024, 2, 29));
		cache.set("text", "plain");
		assertThat(django(peer, "describe", "map", "list", "double", "boolean", "decimal", "date", "text"))
			.containsExactly("dict {'name': 'guyan', 'age': 42, 'langs': ['python', 'java']}",
					"list [1, 'x', None, 2.5]", "float 2.5", "bool True", "Decimal Decimal('1.10')",
					"date datetime.date(2024, 2, 29)", "str 'plain'");
	}

	/**
	 * Server 1 stopped. pymemcache (Django's defaults) raises for its keys until it has counted two failed
	 * attempts, then drops it from its hasher and sends its keys to their best-scoring live server: Java
	 * ({@code rendezvous}, {@code failure-mode: redistribute}) reads every key there. pylibmc with Ketama and
	 * libmemcached's auto-eject ({@code remove_failed}) moves them to the next live point of the continuum: Java
	 * ({@code ketama}) reads them there. pylibmc's modula never moves a key: Django's set raises for exactly the keys
	 * of the stopped server, and those are misses in Java (whose own set fails too), the others hits.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "pymemcache", "pylibmc-ketama-eject", "pylibmc" })
	void aKeyOfADownServerGoesWhereDjangosClientSendsIt(String peer) throws Exception {
		MemcachedOptions.Distribution distribution = switch (peer) {
			case "pymemcache" -> MemcachedOptions.Distribution.RENDEZVOUS;
			case "pylibmc-ketama-eject" -> MemcachedOptions.Distribution.KETAMA;
			default -> MemcachedOptions.Distribution.MODULA;
		};
		SERVERS.get(1).kill();
		MemcachedCacheBackend cache = java(distribution, ValueCodec.Format.JAVA);
		assertThat(cache.servers().get(SERVERS.get(1).address()).alive()).isFalse();
		List<String> failed = django(peer, "write-down", "1", "down", String.valueOf(KEYS));
		KeyPlacement placement = KeyPlacement.of(distribution,
				SERVERS.stream().map(MemcachedServer::location).toList());
		List<String> ofDown = new ArrayList<>();
		for (int i = 0; i < KEYS; i++) {
			if (placement.serverFor(cache.makeKey("down" + i)) == 1) {
				ofDown.add("down" + i);
			}
		}
		assertThat(ofDown).hasSizeBetween(KEYS / 10, KEYS / 2);
		for (int i = 0; i < KEYS; i++) {
			String key = "down" + i;
			String made = cache.makeKey(key);
			if (distribution == MemcachedOptions.Distribution.MODULA && ofDown.contains(key)) {
				assertThat(cache.get(key)).as(key).isNull();
				cache.set(key, "java");
				assertThat(cache.get(key)).as(key).isNull();
				assertThat(SERVERS.get(0).rawGet(made)).isNull();
				assertThat(SERVERS.get(2).rawGet(made)).isNull();
			}
			else {
				assertThat(cache.get(key)).as(key).isEqualTo("value-" + i);
				int expected = placement.serverFor(made, (server) -> server != 1);
				assertThat(SERVERS.get(expected).rawGet(made)).as(key).isNotNull();
			}
		}
		if (distribution == MemcachedOptions.Distribution.MODULA) {
			assertThat(failed).containsExactlyInAnyOrderElementsOf(ofDown);
		}
		else {
			assertThat(failed).isEmpty();
		}
	}

	/** Runs the Django peer; fails the test if it fails. */
	private static List<String> django(String backend, String... args) throws IOException, InterruptedException {
		List<String> arguments = new ArrayList<>(List.of(backend, location()));
		arguments.addAll(List.of(args));
		return Python.run(MemcachedDjangoSharingTests.class, "django_memcached_peer.py", "",
				arguments.toArray(String[]::new));
	}

}
