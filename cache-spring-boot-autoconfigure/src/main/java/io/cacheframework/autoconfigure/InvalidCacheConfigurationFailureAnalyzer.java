package io.cacheframework.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a bad {@code app.caches} setting as Spring Boot reports bad configuration: the property, what is wrong,
 * and what to do.
 */
class InvalidCacheConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCacheConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidCacheConfigurationException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Correct the property '" + cause.getProperty() + "' in your application configuration.", cause);
	}

}
