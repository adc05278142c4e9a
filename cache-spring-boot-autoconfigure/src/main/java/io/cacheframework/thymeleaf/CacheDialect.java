package io.cacheframework.thymeleaf;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

import io.cacheframework.core.Caches;
import org.thymeleaf.dialect.AbstractProcessorDialect;
import org.thymeleaf.processor.IProcessor;
import org.thymeleaf.standard.StandardDialect;
import org.thymeleaf.standard.processor.StandardXmlNsTagProcessor;
import org.thymeleaf.templatemode.TemplateMode;

/**
 * Template fragment caching for Thymeleaf: Django's {@code {% cache %}} tag as attributes.
 *
 * <pre class="code">
 * &lt;div cache:fragment="sidebar" cache:timeout="500" cache:vary-on="${user.username}"&gt;...&lt;/div&gt;
 * </pre>
 *
 * <ul>
 * <li>{@code cache:fragment}: the fragment's literal name (required; the other attributes need it on the same
 * element);</li>
 * <li>{@code cache:timeout}: an expression giving seconds; {@code null} or {@code none} caches forever, a value that
 * is not an integer is a template error; without the attribute the cache's default timeout applies;</li>
 * <li>{@code cache:vary-on}: an expression, or a comma-separated sequence of them; a single expression giving a
 * collection or an array varies on each of its elements;</li>
 * <li>{@code cache:using}: the cache alias; without it {@code template_fragments} if that alias is configured, else
 * {@code default}.</li>
 * </ul>
 * Keys are {@link io.cacheframework.core.TemplateFragmentKeys#make(String, java.util.List)}, so one
 * {@code delete} invalidates a fragment. The element (or, on {@code th:block}, its content) is rendered once on a
 * miss and stored; a hit writes the stored HTML as it is, never evaluated again. The {@code xmlns:cache} declaration
 * is removed from the output.
 *
 * @since 0.1.0
 */
public class CacheDialect extends AbstractProcessorDialect {

	/**
	 * The dialect's name.
	 */
	public static final String NAME = "Cache";

	/**
	 * The attribute prefix: {@code cache:fragment}.
	 */
	public static final String DEFAULT_PREFIX = "cache";

	/**
	 * The dialect's precedence: the Standard Dialect's, so that our processors interleave with {@code th:*} ones by
	 * their own precedence (Thymeleaf orders processors by dialect precedence first).
	 */
	public static final int PROCESSOR_PRECEDENCE = StandardDialect.PROCESSOR_PRECEDENCE;

	private final Caches caches;

	private final FragmentCacheRecorder recorder;

	/**
	 * Create the dialect.
	 * @param caches the configured caches that fragments are stored in
	 */
	public CacheDialect(Caches caches) {
		this(caches, DEFAULT_PREFIX, FragmentCacheRecorder.NONE);
	}

	/**
	 * Create the dialect with another attribute prefix.
	 * @param caches the configured caches that fragments are stored in
	 * @param prefix the attribute prefix, e.g. {@code "fc"} for {@code fc:fragment}
	 */
	public CacheDialect(Caches caches, String prefix) {
		this(caches, prefix, FragmentCacheRecorder.NONE);
	}

	/**
	 * Create the dialect, counting fragment cache hits and misses.
	 * @param caches the configured caches that fragments are stored in
	 * @param prefix the attribute prefix, e.g. {@code "cache"}
	 * @param recorder told of each fragment lookup, a hit or a miss
	 */
	public CacheDialect(Caches caches, String prefix, FragmentCacheRecorder recorder) {
		super(NAME, Objects.requireNonNull(prefix, "prefix must not be null"), PROCESSOR_PRECEDENCE);
		this.caches = Objects.requireNonNull(caches, "caches must not be null");
		this.recorder = Objects.requireNonNull(recorder, "recorder must not be null");
	}

	@Override
	public Set<IProcessor> getProcessors(String dialectPrefix) {
		Set<IProcessor> processors = new LinkedHashSet<>();
		processors.add(new FragmentCacheProcessor(dialectPrefix, this.caches, this.recorder, true));
		processors.add(new FragmentCacheProcessor(dialectPrefix, this.caches, this.recorder, false));
		for (String attribute : FragmentCacheProcessor.COMPANION_ATTRIBUTES) {
			processors.add(new CompanionAttributeProcessor(dialectPrefix, attribute));
		}
		processors.add(new StandardXmlNsTagProcessor(TemplateMode.HTML, dialectPrefix));
		return processors;
	}

}
