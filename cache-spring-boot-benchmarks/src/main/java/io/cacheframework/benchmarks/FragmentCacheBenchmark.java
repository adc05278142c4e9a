package io.cacheframework.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import io.cacheframework.backend.locmem.LocMemCacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.Timeout;
import io.cacheframework.thymeleaf.CacheDialect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * A page with an expensive fragment (a table of {@code rows} items, formatted), rendered by a real Spring template
 * engine in one run:
 * <ul>
 * <li>{@code plain}: the page without the cache dialect (the baseline);</li>
 * <li>{@code cachedHit}: {@code cache:fragment} on the table, served from a warm local-memory cache;</li>
 * <li>{@code cacheMiss}: the same template over the dummy backend, so every render misses: the dialect's overhead
 * on a miss (write back, parse and render the fragment, store).</li>
 * </ul>
 * Run: {@code java -jar cache-spring-boot-benchmarks/target/benchmarks.jar FragmentCacheBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FragmentCacheBenchmark {

	/**
	 * Rows in the expensive table.
	 */
	@Param({ "200" })
	public int rows;

	private SpringTemplateEngine hitEngine;

	private SpringTemplateEngine missEngine;

	private SpringTemplateEngine plainEngine;

	private DefaultCaches hitCaches;

	private DefaultCaches missCaches;

	private Context context;

	/**
	 * Build the engines and warm the cache.
	 */
	@Setup(Level.Trial)
	public void setUp() {
		this.hitCaches = new DefaultCaches(Map.of("default", new LocMemCacheBackend(CacheSettings.builder("default")
			.location("fragment-benchmark-" + UUID.randomUUID())
			.timeout(Timeout.NEVER)
			.build())));
		this.missCaches = new DefaultCaches(Map.of("default", new DummyCacheBackend(CacheSettings.builder("default").build())));
		this.hitEngine = engine(this.hitCaches);
		this.missEngine = engine(this.missCaches);
		this.plainEngine = engine(null);
		List<Item> items = new ArrayList<>();
		for (int i = 0; i < this.rows; i++) {
			items.add(new Item(i, "item number " + i, i * 1.37));
		}
		this.context = new Context(Locale.ENGLISH, Map.of("title", "Prices", "user", "guyan", "items", items));
		String first = this.hitEngine.process("fragment-cached", this.context);
		String plain = this.plainEngine.process("fragment-plain", this.context);
		String miss = this.missEngine.process("fragment-cached", this.context);
		if (!first.equals(plain) || !miss.equals(plain) || !this.hitEngine.process("fragment-cached", this.context).equals(plain)) {
			throw new IllegalStateException("Cached and plain pages differ");
		}
	}

	/**
	 * Close the caches.
	 */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.hitCaches.close();
		this.missCaches.close();
	}

	/**
	 * The page without fragment caching.
	 * @return the page
	 */
	@Benchmark
	public String plain() {
		return this.plainEngine.process("fragment-plain", this.context);
	}

	/**
	 * The page with its table served from the cache.
	 * @return the page
	 */
	@Benchmark
	public String cachedHit() {
		return this.hitEngine.process("fragment-cached", this.context);
	}

	/**
	 * The page with the cache dialect and a cache that never hits.
	 * @return the page
	 */
	@Benchmark
	public String cacheMiss() {
		return this.missEngine.process("fragment-cached", this.context);
	}

	private static SpringTemplateEngine engine(DefaultCaches caches) {
		ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
		resolver.setPrefix("templates/benchmark/");
		resolver.setSuffix(".html");
		resolver.setCacheable(true);
		SpringTemplateEngine engine = new SpringTemplateEngine();
		engine.setTemplateResolver(resolver);
		if (caches != null) {
			engine.addDialect(new CacheDialect(caches));
		}
		return engine;
	}

	/**
	 * A table row.
	 * @param id the id
	 * @param name the name
	 * @param price the price
	 */
	public record Item(int id, String name, double price) {
	}

}
