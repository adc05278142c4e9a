package io.cacheframework.thymeleaf;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cacheframework.core.CacheKeys;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.InvalidCacheKeyException;
import io.cacheframework.core.LogRateLimiter;
import io.cacheframework.core.TemplateFragmentKeys;
import io.cacheframework.core.Timeout;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.engine.AttributeName;
import org.thymeleaf.engine.AttributeNames;
import org.thymeleaf.engine.TemplateManager;
import org.thymeleaf.engine.TemplateModel;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.inline.NoOpInliner;
import org.thymeleaf.model.IModel;
import org.thymeleaf.model.IModelFactory;
import org.thymeleaf.model.IProcessableElementTag;
import org.thymeleaf.model.ITemplateEvent;
import org.thymeleaf.processor.element.AbstractAttributeModelProcessor;
import org.thymeleaf.processor.element.IElementModelStructureHandler;
import org.thymeleaf.standard.StandardDialect;
import org.thymeleaf.standard.expression.ExpressionSequence;
import org.thymeleaf.standard.expression.ExpressionSequenceUtils;
import org.thymeleaf.standard.expression.IStandardExpression;
import org.thymeleaf.standard.expression.StandardExpressions;
import org.thymeleaf.templatemode.TemplateMode;

/**
 * {@code cache:fragment}: Django's {@code {% cache %}} tag. A model processor, so it receives the element with its
 * whole (unprocessed) body.
 * <ul>
 * <li>Miss: our attributes are removed from the element first (otherwise the nested render would find
 * {@code cache:fragment} again and recurse), the element is written back as template text, parsed and processed
 * once into a string <em>in the current context</em> (so {@code th:each}, {@code th:with} and other local variables
 * are visible), and the string is stored.</li>
 * <li>Hit and miss alike: the element is replaced by one text event holding the HTML, with inlining switched off,
 * so the output is written verbatim: nothing in it ({@code [[...]]}, {@code th:*}) is evaluated again and its
 * escaping is kept.</li>
 * </ul>
 * Precedence 650: after {@code th:each} (200), {@code th:if} (300), {@code th:object} (500) and {@code th:with}
 * (600) on the same element, so each iteration gets its own entry and vary-on sees their variables; before
 * {@code th:attr} (700), {@code th:text} (1300) and the rest, which run inside the rendered fragment.
 */
final class FragmentCacheProcessor extends AbstractAttributeModelProcessor {

	static final String ATTRIBUTE_NAME = "fragment";

	static final String TIMEOUT = "timeout";

	static final String VARY_ON = "vary-on";

	static final String USING = "using";

	static final List<String> COMPANION_ATTRIBUTES = List.of(TIMEOUT, VARY_ON, USING);

	static final int PRECEDENCE = 650;

	/**
	 * Before {@code th:insert}/{@code th:replace} (100): Thymeleaf refuses to run a model processor on an element
	 * whose body another processor has already replaced.
	 */
	static final int INCLUSION_PRECEDENCE = 90;

	private static final List<AttributeName> INCLUSIONS = List.of(
			AttributeNames.forHTMLName(StandardDialect.PREFIX, "insert"),
			AttributeNames.forHTMLName(StandardDialect.PREFIX, "replace"),
			AttributeNames.forHTMLName(StandardDialect.PREFIX, "include"));

	private static final AttributeName EACH = AttributeNames.forHTMLName(StandardDialect.PREFIX, "each");

	/**
	 * Django's dedicated alias for fragments, used when configured.
	 */
	static final String TEMPLATE_FRAGMENTS_ALIAS = "template_fragments";

	static final String DEFAULT_ALIAS = "default";

	private static final Log logger = LogFactory.getLog(FragmentCacheProcessor.class);

	private final Caches caches;

	private final FragmentCacheRecorder recorder;

	private final String dialectPrefix;

	private final AttributeName timeoutName;

	private final AttributeName varyOnName;

	private final AttributeName usingName;

	private final boolean inclusionStage;

	// A cache that throws on every call would otherwise log once per fragment per request.
	private final LogRateLimiter failureLog = new LogRateLimiter();

	/**
	 * Create one of the two stages.
	 * @param dialectPrefix the dialect's prefix
	 * @param caches the caches
	 * @param recorder told of each fragment lookup
	 * @param inclusionStage {@code true} for the early stage, which handles only elements that also carry
	 * {@code th:insert}/{@code th:replace} (and no {@code th:each}); {@code false} for the main stage
	 */
	FragmentCacheProcessor(String dialectPrefix, Caches caches, FragmentCacheRecorder recorder,
			boolean inclusionStage) {
		super(TemplateMode.HTML, dialectPrefix, null, false, ATTRIBUTE_NAME, true,
				inclusionStage ? INCLUSION_PRECEDENCE : PRECEDENCE, false);
		this.inclusionStage = inclusionStage;
		this.caches = caches;
		this.recorder = recorder;
		this.dialectPrefix = dialectPrefix;
		this.timeoutName = AttributeNames.forHTMLName(dialectPrefix, TIMEOUT);
		this.varyOnName = AttributeNames.forHTMLName(dialectPrefix, VARY_ON);
		this.usingName = AttributeNames.forHTMLName(dialectPrefix, USING);
	}

	@Override
	protected void doProcess(ITemplateContext context, IModel model, AttributeName attributeName,
			String attributeValue, IElementModelStructureHandler structureHandler) {
		IProcessableElementTag tag = (IProcessableElementTag) model.get(0);
		if (this.inclusionStage && !(hasAny(tag, INCLUSIONS) && !tag.hasAttribute(EACH))) {
			return; // left to the main stage, after th:each/th:if/th:with
		}
		String name = fragmentName(attributeValue);
		Timeout timeout = timeout(context, tag);
		List<Object> varyOn = varyOn(context, tag);
		CacheBackend cache = cache(context, tag);
		String key = TemplateFragmentKeys.make(name, varyOn);
		String html = lookup(cache, key);
		this.recorder.record(cache.alias(), html != null);
		if (html == null) {
			html = render(context, model, tag, attributeName);
			store(cache, key, html, timeout);
		}
		IModelFactory modelFactory = context.getModelFactory();
		model.reset();
		model.add(modelFactory.createText(html));
		// The HTML is final output: no [[...]] inside it may be evaluated a second time.
		structureHandler.setInliner(NoOpInliner.INSTANCE);
	}

	private static boolean hasAny(IProcessableElementTag tag, List<AttributeName> names) {
		for (AttributeName name : names) {
			if (tag.hasAttribute(name)) {
				return true;
			}
		}
		return false;
	}

	private String fragmentName(String attributeValue) {
		String name = (attributeValue != null) ? attributeValue.strip() : "";
		if (name.isEmpty() || name.codePoints().anyMatch((c) -> Character.isWhitespace(c) || Character.isISOControl(c))) {
			// Django's fragment name is one template token: never empty, never containing whitespace.
			throw new TemplateProcessingException(this.dialectPrefix + ":" + ATTRIBUTE_NAME
					+ " needs a fragment name without whitespace, got "
					+ CacheKeys.repr((attributeValue != null) ? attributeValue : ""));
		}
		return name;
	}

	private Timeout timeout(ITemplateContext context, IProcessableElementTag tag) {
		String expression = tag.getAttributeValue(this.timeoutName);
		if (expression == null) {
			// Django's tag always has a timeout; without the attribute the cache's own default applies.
			return Timeout.DEFAULT;
		}
		return FragmentTimeouts.of(evaluate(context, expression));
	}

	private List<Object> varyOn(ITemplateContext context, IProcessableElementTag tag) {
		String expression = tag.getAttributeValue(this.varyOnName);
		if (expression == null || expression.isBlank()) {
			return Collections.emptyList();
		}
		ExpressionSequence sequence = ExpressionSequenceUtils.parseExpressionSequence(context, expression);
		List<Object> values = new ArrayList<>();
		if (sequence.size() == 1) {
			Object value = sequence.getExpressions().get(0).execute(context);
			if (value instanceof Iterable<?> iterable) {
				iterable.forEach(values::add);
			}
			else if (value != null && value.getClass().isArray()) {
				for (int i = 0; i < Array.getLength(value); i++) {
					values.add(Array.get(value, i));
				}
			}
			else {
				values.add(value);
			}
		}
		else {
			for (IStandardExpression each : sequence) {
				values.add(each.execute(context));
			}
		}
		return values;
	}

	private CacheBackend cache(ITemplateContext context, IProcessableElementTag tag) {
		String expression = tag.getAttributeValue(this.usingName);
		String alias;
		if (expression != null) {
			// A bare alias is a Thymeleaf token literal, so cache:using="localcache" and "${alias}" both work.
			Object value = evaluate(context, expression);
			alias = (value != null) ? String.valueOf(value) : "";
			if (!this.caches.aliases().contains(alias)) {
				throw new TemplateProcessingException("Invalid cache name specified for cache tag: " + CacheKeys.repr(alias));
			}
		}
		else {
			alias = this.caches.aliases().contains(TEMPLATE_FRAGMENTS_ALIAS) ? TEMPLATE_FRAGMENTS_ALIAS : DEFAULT_ALIAS;
			if (!this.caches.aliases().contains(alias)) {
				throw new TemplateProcessingException("No cache for " + this.dialectPrefix + ":" + ATTRIBUTE_NAME
						+ ": neither '" + TEMPLATE_FRAGMENTS_ALIAS + "' nor '" + DEFAULT_ALIAS
						+ "' is configured (configured aliases: " + this.caches.aliases() + "); name one with "
						+ this.dialectPrefix + ":" + USING);
			}
		}
		return this.caches.get(alias);
	}

	private @Nullable Object evaluate(ITemplateContext context, String expression) {
		return StandardExpressions.getExpressionParser(context.getConfiguration())
			.parseExpression(context, expression)
			.execute(context);
	}

	private @Nullable String lookup(CacheBackend cache, String key) {
		try {
			// Django: "if value is None" renders; a stored empty string is a hit. Anything not a String under our
			// key was not written by us: render and overwrite it.
			return (cache.get(key) instanceof String html) ? html : null;
		}
		catch (InvalidCacheKeyException ex) {
			// Deterministic (e.g. a fragment name too long for memcached): the template must be fixed.
			throw ex;
		}
		catch (RuntimeException ex) {
			// Backends already turn outages into misses; this guards any other failure: the page renders live.
			warn("read", cache, key, ex);
			return null;
		}
	}

	private String render(ITemplateContext context, IModel model, IProcessableElementTag tag,
			AttributeName fragmentName) {
		IModelFactory modelFactory = context.getModelFactory();
		// Remove our attributes BEFORE writing the model: the nested render would otherwise run this processor
		// again on the same element, forever (AbstractAttributeModelProcessor removes only after doProcess).
		IProcessableElementTag stripped = modelFactory.removeAttribute(tag, fragmentName);
		stripped = modelFactory.removeAttribute(stripped, this.timeoutName);
		stripped = modelFactory.removeAttribute(stripped, this.varyOnName);
		stripped = modelFactory.removeAttribute(stripped, this.usingName);
		model.replace(0, stripped);
		String source = source(model);
		TemplateManager templateManager = context.getConfiguration().getTemplateManager();
		TemplateModel parsed = templateManager.parseString(context.getTemplateData(), source, tag.getLine(),
				tag.getCol(), context.getTemplateMode(), false);
		StringWriter html = new StringWriter();
		templateManager.process(parsed, context, html);
		return html.toString();
	}

	/**
	 * The model as template text, to parse again. {@code model.write} would do, except for the {@code th:block}
	 * elements the parser makes of {@code [[...]]} in text: Thymeleaf 3.1 writes them without the space before the
	 * attribute ({@code <th:blockth:text="...">}), which would parse as another element. Such a tag gets its space.
	 */
	private static String source(IModel model) {
		StringWriter source = new StringWriter();
		try {
			for (int i = 0; i < model.size(); i++) {
				ITemplateEvent event = model.get(i);
				if (event instanceof IProcessableElementTag tag) {
					StringWriter written = new StringWriter();
					tag.write(written);
					String text = written.toString();
					int end = 1 + tag.getElementCompleteName().length();
					if (text.length() > end && text.charAt(0) == '<' && !isTagNameEnd(text.charAt(end))) {
						text = text.substring(0, end) + ' ' + text.substring(end);
					}
					source.write(text);
				}
				else {
					event.write(source);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex); // a StringWriter never fails
		}
		return source.toString();
	}

	private static boolean isTagNameEnd(char c) {
		return Character.isWhitespace(c) || c == '>' || c == '/';
	}

	private void store(CacheBackend cache, String key, String html, Timeout timeout) {
		try {
			cache.set(key, html, timeout);
		}
		catch (InvalidCacheKeyException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// The fragment is rendered already: the page goes out, the next request renders again.
			warn("write", cache, key, ex);
		}
	}

	private void warn(String operation, CacheBackend cache, String key, RuntimeException ex) {
		long suppressed = this.failureLog.record(System.currentTimeMillis());
		if (suppressed >= 0) {
			logger.warn("Could not " + operation + " template fragment '" + key + "' in cache '" + safeAlias(cache)
					+ "', rendering it live" + LogRateLimiter.suppressedNote(suppressed), ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Could not " + operation + " template fragment '" + key + "'", ex);
		}
	}

	private static String safeAlias(CacheBackend cache) {
		try {
			return cache.alias();
		}
		catch (RuntimeException ex) {
			return "?";
		}
	}

}
