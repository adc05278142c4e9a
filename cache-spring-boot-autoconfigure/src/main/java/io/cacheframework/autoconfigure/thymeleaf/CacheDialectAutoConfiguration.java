package io.cacheframework.autoconfigure.thymeleaf;

import io.cacheframework.core.Caches;
import io.cacheframework.thymeleaf.CacheDialect;
import io.cacheframework.thymeleaf.FragmentCacheRecorder;
import org.thymeleaf.spring6.SpringTemplateEngine;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers the Thymeleaf {@code cache} dialect (template fragment caching) when Thymeleaf's Spring integration is on
 * the classpath. Boot's Thymeleaf auto-configuration adds every {@code IDialect} bean to its template engine.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "io.cacheframework.autoconfigure.CacheFrameworkAutoConfiguration")
@ConditionalOnClass(SpringTemplateEngine.class)
@ConditionalOnBean(Caches.class)
public final class CacheDialectAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheDialect cacheDialect(Caches caches, ObjectProvider<FragmentCacheRecorder> recorder) {
		return new CacheDialect(caches, CacheDialect.DEFAULT_PREFIX,
				recorder.getIfAvailable(() -> FragmentCacheRecorder.NONE));
	}

}
