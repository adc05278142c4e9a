package io.cacheframework.autoconfigure;

import java.lang.reflect.Constructor;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.cacheframework.autoconfigure.CacheFrameworkProperties.CacheSpec;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheExecutor;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.DefaultCaches;
import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.core.KeyFunction;
import io.cacheframework.core.MonitoredCacheBackend;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.ValueSerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Turns {@code app.caches.*} into backends, Django's {@code caches} setup: validates every setting, failing with a
 * message that names the full property, and closes what it built if a later alias fails.
 */
final class CachesBuilder {

	static final String DEFAULT_ALIAS = "default";

	/**
	 * Built-in backends whose library may be missing, and what to add for them.
	 */
	private static final Map<String, String> OPTIONAL_BACKENDS = Map.of("memcached",
			"net.spy:spymemcached (included in cache-spring-boot-starter)", "database",
			"spring-jdbc (e.g. org.springframework.boot:spring-boot-starter-jdbc)", "redis",
			"io.lettuce:lettuce-core (version from Spring Boot's dependency management)");

	private final Map<String, CacheBackendFactory> factories;

	private final ValueSerializer serializer;

	private final CacheExecutor executor;

	private final BeanFactory beanFactory;

	private final @Nullable ClassLoader classLoader;

	CachesBuilder(List<CacheBackendFactory> factories, ValueSerializer serializer, CacheExecutor executor,
			BeanFactory beanFactory, @Nullable ClassLoader classLoader) {
		this.factories = new TreeMap<>();
		for (CacheBackendFactory factory : factories) {
			this.factories.putIfAbsent(factory.name(), factory);
		}
		this.serializer = serializer;
		this.executor = executor;
		this.beanFactory = beanFactory;
		this.classLoader = classLoader;
	}

	DefaultCaches build(Map<String, CacheSpec> configured) {
		Map<String, CacheSpec> specs = new LinkedHashMap<>(configured);
		if (specs.isEmpty()) {
			// Django's default CACHES: one local-memory cache.
			specs.put(DEFAULT_ALIAS, new CacheSpec());
		}
		else if (!specs.containsKey(DEFAULT_ALIAS)) {
			throw new InvalidCacheConfigurationException(property(DEFAULT_ALIAS, null),
					"a 'default' cache is required when caches are configured (configured: " + specs.keySet() + ")");
		}
		Map<String, CacheBackend> backends = new LinkedHashMap<>();
		try {
			for (Map.Entry<String, CacheSpec> entry : specs.entrySet()) {
				backends.put(entry.getKey(), create(entry.getKey(), entry.getValue()));
			}
		}
		catch (RuntimeException ex) {
			backends.values().forEach(CacheBackend::close);
			throw ex;
		}
		return new DefaultCaches(backends);
	}

	private CacheBackend create(String alias, CacheSpec spec) {
		CacheSettings settings = settings(alias, spec);
		String backend = (spec.getBackend() != null) ? spec.getBackend().trim() : "";
		CacheBackendFactory factory = this.factories.get(backend.toLowerCase(Locale.ROOT));
		CacheBackendContext context = new CacheBackendContext(settings, this.serializer, this.beanFactory,
				(factory != null) ? factory.name() : backend);
		// A backend that only implements CacheBackend is wrapped, so that operators see it counted and timed too.
		if (factory != null) {
			try {
				return MonitoredCacheBackend.of(factory.create(context), settings, factory.name());
			}
			catch (InvalidCacheOptionException ex) {
				throw new InvalidCacheConfigurationException(context.optionProperty(ex.option()),
						ex.getMessage().substring(ex.option().length() + 2), ex);
			}
			catch (InvalidCacheConfigurationException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				// Whatever else stops a backend (a bean it needs that cannot be created, a bug) is reported against
				// its alias: left alone, the failure is blamed on whichever bean needed the caches first.
				throw new InvalidCacheConfigurationException(property(alias, null),
						"the " + factory.name() + " backend could not be created: " + ex.getMessage(), ex);
			}
		}
		if (backend.contains(".")) {
			return MonitoredCacheBackend.of(instantiate(alias, backend, context), settings, backend);
		}
		String property = property(alias, "backend");
		if (OPTIONAL_BACKENDS.containsKey(backend)) {
			throw new InvalidCacheConfigurationException(property,
					"backend '" + backend + "' needs " + OPTIONAL_BACKENDS.get(backend) + " on the classpath");
		}
		Set<String> names = new TreeSet<>(this.factories.keySet());
		names.addAll(OPTIONAL_BACKENDS.keySet());
		String suggestion = UnknownCacheProperties.suggestion(backend, names);
		throw new InvalidCacheConfigurationException(property,
				"unknown backend '" + backend + "'" + ((suggestion != null) ? " (did you mean " + suggestion + "?)" : "")
						+ "; use one of " + this.factories.keySet()
						+ " or the class name of a CacheBackend implementation");
	}

	private CacheBackend instantiate(String alias, String className, CacheBackendContext context) {
		String property = property(alias, "backend");
		Class<?> type;
		try {
			type = ClassUtils.forName(className, this.classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new InvalidCacheConfigurationException(property,
					"unknown backend '" + className + "': no such class; use one of " + this.factories.keySet()
							+ " or the class name of a CacheBackend implementation",
					ex);
		}
		if (!CacheBackend.class.isAssignableFrom(type)) {
			throw new InvalidCacheConfigurationException(property,
					"backend class " + className + " does not implement " + CacheBackend.class.getName());
		}
		try {
			Constructor<?> withSerializer = findConstructor(type, CacheSettings.class, ValueSerializer.class);
			if (withSerializer != null) {
				return (CacheBackend) withSerializer.newInstance(context.settings(), context.serializer());
			}
			Constructor<?> constructor = findConstructor(type, CacheSettings.class);
			if (constructor == null) {
				throw new InvalidCacheConfigurationException(property, "backend class " + className
						+ " needs a public constructor taking " + CacheSettings.class.getName());
			}
			return (CacheBackend) constructor.newInstance(context.settings());
		}
		catch (ReflectiveOperationException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new InvalidCacheConfigurationException(property,
					"backend class " + className + " could not be created: " + cause, cause);
		}
	}

	private static @Nullable Constructor<?> findConstructor(Class<?> type, Class<?>... parameterTypes) {
		try {
			return type.getConstructor(parameterTypes);
		}
		catch (NoSuchMethodException ex) {
			return null;
		}
	}

	private CacheSettings settings(String alias, CacheSpec spec) {
		Map<String, String> options = normalizedOptions(spec.getOptions());
		CacheSettings.Builder builder = CacheSettings.builder(alias)
			.location(String.join(",", spec.getLocation()).trim())
			.timeout(parseTimeout(property(alias, "timeout"), spec.getTimeout()))
			.keyPrefix((spec.getKeyPrefix() != null) ? spec.getKeyPrefix() : "")
			.version(spec.getVersion())
			.executor(this.executor)
			.maxEntries(nonNegative(alias, "max-entries", options, CacheSettings.DEFAULT_MAX_ENTRIES))
			.cullFrequency(nonNegative(alias, "cull-frequency", options, CacheSettings.DEFAULT_CULL_FREQUENCY));
		if (StringUtils.hasText(spec.getKeyFunction())) {
			builder.keyFunction(keyFunction(property(alias, "key-function"), spec.getKeyFunction().trim()));
		}
		options.forEach(builder::option);
		return builder.build();
	}

	/**
	 * Parse a timeout: seconds, a duration ("15m", "PT15M"), or "none" (never expire; also an empty YAML value).
	 */
	static Timeout parseTimeout(String property, @Nullable String value) {
		if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("none")
				|| value.trim().equalsIgnoreCase("null")) {
			return Timeout.NEVER;
		}
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(value.trim(), ChronoUnit.SECONDS);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCacheConfigurationException(property, "'" + value
					+ "' is not a timeout; use seconds (300), a duration (15m, PT15M) or 'none' to never expire", ex);
		}
		if (duration.isNegative()) {
			// Django keeps nothing with a negative TIMEOUT (it expires at once, as 0 does); a negative default is
			// almost always "never" written as in other stores (-1), which Django spells None.
			throw new InvalidCacheConfigurationException(property, "'" + value
					+ "' is negative: every entry would expire at once and nothing would be cached. As in Django,"
					+ " write 'none' for entries that never expire (Django's None), 0 to cache nothing on purpose,"
					+ " or a positive number of seconds or a duration (300, 15m)");
		}
		return Timeout.of(duration);
	}

	private KeyFunction keyFunction(String property, String name) {
		if (this.beanFactory.containsBean(name)) {
			// The type is checked before the bean is created, so that a wrong name (a bean that needs the caches,
			// say) fails here, naming the property, and not as a dependency cycle.
			Class<?> beanType = this.beanFactory.getType(name, false);
			if (beanType != null && !KeyFunction.class.isAssignableFrom(beanType)) {
				throw new InvalidCacheConfigurationException(property,
						"bean '" + name + "' is a " + beanType.getName() + ", not a " + KeyFunction.class.getName());
			}
			return keyFunctionBean(property, name);
		}
		Class<?> type;
		try {
			type = ClassUtils.forName(name, this.classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new InvalidCacheConfigurationException(property,
					"'" + name + "' is neither a KeyFunction bean nor a class on the classpath", ex);
		}
		if (!KeyFunction.class.isAssignableFrom(type)) {
			throw new InvalidCacheConfigurationException(property,
					"class " + name + " does not implement " + KeyFunction.class.getName());
		}
		if (this.beanFactory instanceof ListableBeanFactory listable) {
			// A single bean of that class is used as it is (it may have dependencies).
			String[] names = listable.getBeanNamesForType(type);
			if (names.length == 1) {
				return keyFunctionBean(property, names[0]);
			}
		}
		try {
			return (KeyFunction) type.getDeclaredConstructor().newInstance();
		}
		catch (ReflectiveOperationException ex) {
			throw new InvalidCacheConfigurationException(property,
					"class " + name + " needs a public no-argument constructor", ex);
		}
	}

	private KeyFunction keyFunctionBean(String property, String name) {
		Object bean;
		try {
			bean = this.beanFactory.getBean(name);
		}
		catch (BeansException ex) {
			throw new InvalidCacheConfigurationException(property,
					"the KeyFunction bean '" + name + "' could not be created: " + ex.getMessage(), ex);
		}
		if (bean instanceof KeyFunction keyFunction) {
			return keyFunction;
		}
		throw new InvalidCacheConfigurationException(property,
				"bean '" + name + "' is a " + bean.getClass().getName() + ", not a " + KeyFunction.class.getName());
	}

	private static int nonNegative(String alias, String option, Map<String, String> options, int defaultValue) {
		String value = options.get(option);
		if (value == null) {
			return defaultValue;
		}
		String property = property(alias, "options." + option);
		int result;
		try {
			result = Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidCacheConfigurationException(property, "'" + value + "' is not a whole number", ex);
		}
		if (result < 0) {
			throw new InvalidCacheConfigurationException(property, "must not be negative, was " + result);
		}
		return result;
	}

	/**
	 * Options in the canonical dashed form, so {@code MAX_ENTRIES} (Django's spelling), {@code maxEntries} and
	 * {@code max-entries} are one option.
	 */
	static Map<String, String> normalizedOptions(@Nullable Map<String, String> options) {
		Map<String, String> normalized = new LinkedHashMap<>();
		if (options != null) {
			options.forEach((key, value) -> normalized.put(dashed(key), value));
		}
		return normalized;
	}

	static String dashed(String name) {
		StringBuilder result = new StringBuilder(name.length() + 4);
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == '_') {
				result.append('-');
			}
			else if (Character.isUpperCase(c)) {
				if (i > 0 && Character.isLowerCase(name.charAt(i - 1))) {
					result.append('-');
				}
				result.append(Character.toLowerCase(c));
			}
			else {
				result.append(c);
			}
		}
		return result.toString();
	}

	static String property(String alias, @Nullable String name) {
		String prefix = CacheFrameworkProperties.PREFIX + ".caches." + alias;
		return (name != null) ? prefix + "." + name : prefix;
	}

}
