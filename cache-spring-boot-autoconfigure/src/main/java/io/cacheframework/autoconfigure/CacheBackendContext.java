package io.cacheframework.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.ValueSerializer;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What a {@link CacheBackendFactory} gets to build one alias's backend: the shared settings, the serializer, typed
 * binding of the backend's {@code options.*}, and the bean factory (for data sources and other beans).
 *
 * @since 0.1.0
 */
public final class CacheBackendContext {

	/**
	 * Options every backend accepts (culling limits apply to local memory, file system and database; others ignore
	 * them, as Django's memcached backend does).
	 */
	static final Set<String> COMMON_OPTIONS = Set.of("max-entries", "cull-frequency");

	private final CacheSettings settings;

	private final ValueSerializer serializer;

	private final BeanFactory beanFactory;

	CacheBackendContext(CacheSettings settings, ValueSerializer serializer, BeanFactory beanFactory) {
		this.settings = settings;
		this.serializer = serializer;
		this.beanFactory = beanFactory;
	}

	/**
	 * The shared settings (alias, location, timeout, key prefix, version, key function, culling, clock, raw
	 * options).
	 * @return the settings
	 */
	public CacheSettings settings() {
		return this.settings;
	}

	/**
	 * The configured value serializer (the safe default unless the application replaced it).
	 * @return the serializer
	 */
	public ValueSerializer serializer() {
		return this.serializer;
	}

	/**
	 * The application's bean factory.
	 * @return the bean factory
	 */
	public BeanFactory beanFactory() {
		return this.beanFactory;
	}

	/**
	 * The full property prefix of this alias, e.g. {@code app.caches.default}.
	 * @return the prefix
	 */
	public String propertyPrefix() {
		return CacheFrameworkProperties.PREFIX + ".caches." + this.settings.alias();
	}

	/**
	 * Bind {@code app.caches.<alias>.options.*} to a typed options class (a JavaBean with defaults in its fields).
	 * An option the class does not know fails startup naming it, as does a value that does not convert.
	 * @param type the options class
	 * @param <T> the options type
	 * @return the bound options, defaults where nothing is configured
	 */
	public <T> T bindOptions(Class<T> type) {
		String name = propertyPrefix() + ".options";
		Map<String, String> specific = new LinkedHashMap<>();
		this.settings.options().forEach((key, value) -> {
			String option = ConfigurationPropertyName.adapt(key, '.').toString();
			if (!COMMON_OPTIONS.contains(option)) {
				specific.put(name + "." + option, value);
			}
		});
		Binder binder = new Binder(new MapConfigurationPropertySource(specific));
		return binder.bindOrCreate(name, Bindable.of(type),
				new NoUnboundElementsBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler()));
	}

}
