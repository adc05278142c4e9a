package io.cacheframework.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSpec;
import io.cacheframework.core.CacheBackend;

import org.springframework.beans.factory.config.ConstructorArgumentValues;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link CacheBackend} bean per configured alias, named {@code <alias>CacheBackend}, each obtained
 * from the {@code caches} bean ({@code default} is primary). The {@code caches} bean owns the backends' lifecycle.
 */
class CacheBackendBeansRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

	static final String CACHES_BEAN_NAME = "caches";

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		for (String alias : aliases()) {
			String beanName = alias + "CacheBackend";
			if (registry.containsBeanDefinition(beanName)) {
				continue;
			}
			RootBeanDefinition definition = new RootBeanDefinition();
			definition.setTargetType(CacheBackend.class);
			definition.setFactoryBeanName(CACHES_BEAN_NAME);
			definition.setFactoryMethodName("get");
			ConstructorArgumentValues arguments = new ConstructorArgumentValues();
			arguments.addIndexedArgumentValue(0, alias);
			definition.setConstructorArgumentValues(arguments);
			definition.setPrimary(CachesBuilder.DEFAULT_ALIAS.equals(alias));
			// The caches bean closes every backend.
			definition.setDestroyMethodName("");
			registry.registerBeanDefinition(beanName, definition);
		}
	}

	private Set<String> aliases() {
		Map<String, CacheSpec> caches;
		try {
			caches = Binder.get(this.environment)
				.bind(CacheFrameworkProperties.PREFIX + ".caches", Bindable.mapOf(String.class, CacheSpec.class))
				.orElse(Collections.emptyMap());
		}
		catch (RuntimeException ex) {
			// Reported with the property's name when the caches bean binds the same configuration.
			return Set.of(CachesBuilder.DEFAULT_ALIAS);
		}
		return caches.isEmpty() ? Set.of(CachesBuilder.DEFAULT_ALIAS) : new LinkedHashSet<>(caches.keySet());
	}

}
