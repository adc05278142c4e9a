package io.cacheframework.thymeleaf;

import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.engine.AttributeName;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.model.IProcessableElementTag;
import org.thymeleaf.processor.element.AbstractAttributeTagProcessor;
import org.thymeleaf.processor.element.IElementTagStructureHandler;
import org.thymeleaf.templatemode.TemplateMode;

/**
 * Rejects {@code cache:timeout}, {@code cache:vary-on} or {@code cache:using} on an element without
 * {@code cache:fragment}: they would otherwise be written to the page and cache nothing (Django's tag, too, refuses
 * to compile without a fragment name). When {@code cache:fragment} is present its processor runs first and replaces
 * the element, so this one never sees it.
 */
final class CompanionAttributeProcessor extends AbstractAttributeTagProcessor {

	private final String attribute;

	private final String fragmentAttribute;

	CompanionAttributeProcessor(String dialectPrefix, String attributeName) {
		super(TemplateMode.HTML, dialectPrefix, null, false, attributeName, true,
				FragmentCacheProcessor.PRECEDENCE + 1, true);
		this.attribute = dialectPrefix + ":" + attributeName;
		this.fragmentAttribute = dialectPrefix + ":" + FragmentCacheProcessor.ATTRIBUTE_NAME;
	}

	@Override
	protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
			String attributeValue, IElementTagStructureHandler structureHandler) {
		throw new TemplateProcessingException(
				this.attribute + " needs " + this.fragmentAttribute + " (the fragment's name) on the same element");
	}

}
