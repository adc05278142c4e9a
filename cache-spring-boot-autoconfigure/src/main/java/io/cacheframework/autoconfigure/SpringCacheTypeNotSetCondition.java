package io.cacheframework.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code spring.cache.type} is not set: setting it means the user chose one of Spring Boot's cache
 * managers, so ours steps aside.
 */
class SpringCacheTypeNotSetCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String type = context.getEnvironment().getProperty("spring.cache.type");
		if (type == null || type.isBlank()) {
			return ConditionOutcome.match("spring.cache.type is not set");
		}
		return ConditionOutcome.noMatch("spring.cache.type is set to '" + type + "'");
	}

}
