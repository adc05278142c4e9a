package io.cacheframework.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.ValueSerializer;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.NestedExceptionUtils;

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

	/**
	 * The name options are bound under, instead of the real prefix, whose alias may not be a valid name element.
	 */
	private static final String BINDING_ROOT = "options";

	private final CacheSettings settings;

	private final ValueSerializer serializer;

	private final BeanFactory beanFactory;

	private final String backendName;

	CacheBackendContext(CacheSettings settings, ValueSerializer serializer, BeanFactory beanFactory) {
		this(settings, serializer, beanFactory, "");
	}

	CacheBackendContext(CacheSettings settings, ValueSerializer serializer, BeanFactory beanFactory,
			String backendName) {
		this.settings = settings;
		this.serializer = serializer;
		this.beanFactory = beanFactory;
		this.backendName = backendName;
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
	 * Bind {@code app.caches.<alias>.options.*} to a typed options class (a JavaBean with its defaults in its fields,
	 * kept beside its backend). Names may be written dashed, camelCase or as Django spells them
	 * ({@code MAX_ENTRIES}). An option the class does not have fails startup naming the property and listing the
	 * valid names; a value that does not convert fails naming the property. Values the backend then refuses are
	 * reported by its {@link io.cacheframework.core.InvalidCacheOptionException}, which the configuration turns
	 * into an error naming the property too.
	 * @param type the options class
	 * @param <T> the options type
	 * @return the bound options, defaults where nothing is configured
	 * @throws InvalidCacheConfigurationException for an unknown option or a value that does not convert
	 */
	public <T> T bindOptions(Class<T> type) {
		Set<String> valid = optionNames(type);
		Map<String, String> specific = new LinkedHashMap<>();
		this.settings.options().forEach((key, value) -> {
			String option = CachesBuilder.dashed(key);
			if (COMMON_OPTIONS.contains(option)) {
				return;
			}
			if (!valid.contains(option)) {
				throw unknownOption(option, valid);
			}
			specific.put(BINDING_ROOT + "." + option, value);
		});
		// The alias is not part of the name bound: an alias in camelCase is not a valid property name element.
		Binder binder = new Binder(new MapConfigurationPropertySource(specific));
		try {
			return binder.bindOrCreate(BINDING_ROOT, Bindable.of(type),
					new NoUnboundElementsBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler()));
		}
		catch (BindException ex) {
			String option = (ex.getProperty() != null)
					? ex.getProperty().getName().toString().substring(BINDING_ROOT.length() + 1) : ex.getName().toString();
			Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
			throw new InvalidCacheConfigurationException(optionProperty(option),
					"'" + ((ex.getProperty() != null) ? ex.getProperty().getValue() : "") + "' is not valid: "
							+ cause.getMessage(),
					ex);
		}
	}

	/**
	 * For a backend without options of its own (local memory, dummy): fail startup for any option but the common
	 * {@code max-entries} and {@code cull-frequency}, naming the property and listing those two. Django ignores other
	 * keys of a local-memory cache's OPTIONS; here a misspelt option must not leave its default silently in force.
	 * @throws InvalidCacheConfigurationException for an option that is not common
	 */
	public void requireCommonOptionsOnly() {
		for (String key : this.settings.options().keySet()) {
			String option = CachesBuilder.dashed(key);
			if (!COMMON_OPTIONS.contains(option)) {
				throw unknownOption(option, Set.of());
			}
		}
	}

	private InvalidCacheConfigurationException unknownOption(String option, Set<String> specific) {
		Set<String> all = new TreeSet<>(specific);
		all.addAll(COMMON_OPTIONS);
		String suggestion = UnknownCacheProperties.suggestion(option, all);
		return new InvalidCacheConfigurationException(optionProperty(option),
				"not an option of "
						+ (this.backendName.isEmpty() ? "this backend" : "the " + this.backendName + " backend")
						+ ((suggestion != null) ? " (did you mean " + suggestion + "?)" : ""),
				all, null);
	}

	/**
	 * The full property of one of this alias's options, e.g. {@code app.caches.default.options.operation-timeout}.
	 * @param option the option in its dashed form
	 * @return the property
	 */
	public String optionProperty(String option) {
		return propertyPrefix() + ".options." + option;
	}

	/**
	 * The dashed names of an options class's writable properties.
	 */
	private static Set<String> optionNames(Class<?> type) {
		Set<String> names = new TreeSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getWriteMethod() != null) {
				names.add(CachesBuilder.dashed(descriptor.getName()));
			}
		}
		return names;
	}

}
