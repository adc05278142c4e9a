package io.cacheframework.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.cacheframework.autoconfigure.actuate.CacheHealthProperties;
import io.cacheframework.autoconfigure.actuate.CacheMetricsProperties;
import io.cacheframework.autoconfigure.web.CachePageProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Fails startup for a property under one of this library's groups ({@code app.caches.<alias>.*},
 * {@code app.cache-middleware.*}, {@code app.cache-pages[i].*}, {@code app.cache-serialization.*},
 * {@code app.cache-database.*}, {@code app.cache-health.*}, {@code app.cache-metrics.*},
 * {@code app.cache-async.*}) that nothing binds: Spring
 * Boot ignores such a name, so a typo ({@code timout}, {@code option.max-entries}) would silently leave the default
 * in force. The error names the property and lists the valid names in its place.
 *
 * <p>The names allowed are read from the properties classes, so they follow them; {@code options.*} are checked per
 * backend by {@link CacheBackendContext#bindOptions(Class)}. Other names under {@code app} belong to the
 * application and are left alone; one that is a near miss of a group's name is logged. Environment variables are
 * not checked: Spring Boot maps {@code APP_CACHES_DEFAULT_KEY_PREFIX} to several candidate names, so a listing of
 * them cannot tell a typo from a valid spelling.
 */
final class UnknownCacheProperties {

	private static final Log logger = LogFactory.getLog(UnknownCacheProperties.class);

	static final String PREFIX = CacheFrameworkProperties.PREFIX;

	/**
	 * The groups checked, by the dashed name under {@code app}.
	 */
	private static final Node GROUPS = groups();

	private UnknownCacheProperties() {
	}

	/**
	 * Check every configured name under this library's groups.
	 * @param environment the application's environment
	 * @throws InvalidCacheConfigurationException for the first unknown name, listing any others
	 */
	static void check(Environment environment) {
		List<Unknown> unknown = new ArrayList<>();
		Set<String> nearMisses = new LinkedHashSet<>();
		ConfigurationPropertyName root = ConfigurationPropertyName.of(PREFIX);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable
					&& !(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
				iterable.stream().filter(root::isAncestorOf).forEach((name) -> {
					if (!check(name, unknown::add)) {
						nearMisses.add(name.getElement(1, Form.ORIGINAL));
					}
				});
			}
		}
		nearMisses.forEach(UnknownCacheProperties::warnIfNearMiss);
		if (unknown.isEmpty()) {
			return;
		}
		Unknown first = unknown.get(0);
		List<String> others = unknown.stream()
			.map(Unknown::property)
			.filter((property) -> !property.equals(first.property()))
			.distinct()
			.toList();
		String message = first.reason()
				+ (others.isEmpty() ? "" : " (also not a property: " + String.join(", ", others) + ")");
		throw new InvalidCacheConfigurationException(first.property(), message, first.validNames(), null);
	}

	/**
	 * Walk one name down the groups' structure; report it if an element is not where the structure allows it.
	 * @return whether the name is in one of the groups
	 */
	static boolean check(ConfigurationPropertyName name, Consumer<Unknown> report) {
		Node node = GROUPS.children.get(name.getElement(1, Form.UNIFORM));
		if (node == null) {
			return false;
		}
		StringBuilder path = new StringBuilder(PREFIX).append('.').append(name.getElement(1, Form.ORIGINAL));
		for (int i = 2; i < name.getNumberOfElements(); i++) {
			boolean indexed = name.chop(i + 1).isLastElementIndexed();
			String element = indexed ? "[" + name.getElement(i, Form.ORIGINAL) + "]" : name.getElement(i, Form.ORIGINAL);
			String property = path + (indexed ? element : "." + element);
			switch (node.kind) {
				case ANY -> {
					return true;
				}
				case MAP -> node = node.element;
				case LIST -> {
					if (!name.isNumericIndex(i)) {
						report.accept(new Unknown(property, path + " is a list: write its entries as " + path
								+ "[0]..., or as a YAML list", List.of()));
						return true;
					}
					node = node.element;
				}
				case SCALAR -> {
					report.accept(new Unknown(property, path + " takes a single value, it has no " + element,
							List.of()));
					return true;
				}
				case BEAN -> {
					Node child = node.children.get(name.getElement(i, Form.UNIFORM));
					if (child == null) {
						report.accept(unknown(property, path.toString(), element, node));
						return true;
					}
					node = child;
				}
			}
			path.setLength(0);
			path.append(property);
		}
		return true;
	}

	private static Unknown unknown(String property, String parent, String element, Node node) {
		StringBuilder reason = new StringBuilder("not a property");
		String suggestion = suggestion(element, node.names.values());
		if (node == GROUPS.children.get("caches").element) {
			// Django's OPTIONS keys written one level too high, or OPTIONS misspelt.
			if (CacheBackendContext.COMMON_OPTIONS.contains(CachesBuilder.dashed(element))) {
				suggestion = "options." + CachesBuilder.dashed(element);
			}
			reason.append(suggestion != null ? " (did you mean " + suggestion + "?)"
					: " (a backend's own settings go under " + parent + ".options)");
		}
		else if (suggestion != null) {
			reason.append(" (did you mean ").append(suggestion).append("?)");
		}
		return new Unknown(property, reason.toString(), List.copyOf(node.names.values()));
	}

	/**
	 * A valid name at most two edits away from the one written, else {@code null}.
	 */
	static @Nullable String suggestion(String written, Collection<String> valid) {
		String uniform = uniform(written);
		String best = null;
		int bestDistance = 3;
		for (String name : valid) {
			int distance = distance(uniform, uniform(name));
			if (distance < bestDistance) {
				best = name;
				bestDistance = distance;
			}
		}
		return best;
	}

	/**
	 * A group name that is nearly one of ours is probably a typo, but it may be the application's own: a warning.
	 */
	private static void warnIfNearMiss(String group) {
		String near = suggestion(group, GROUPS.names.values());
		if (near != null && logger.isWarnEnabled()) {
			logger.warn("The properties under '" + PREFIX + "." + group + "' are ignored by the cache framework: did you"
					+ " mean " + PREFIX + "." + near + "? (If they are the application's own, ignore this warning.)");
		}
	}

	static String uniform(String name) {
		return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
	}

	/**
	 * Levenshtein distance.
	 */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	/**
	 * Every property name the check accepts, written as the IDE metadata writes them ({@code app.caches.default.x},
	 * {@code app.cache-pages[0].x}); a map of options appears as its own name.
	 */
	static List<String> knownNames() {
		List<String> names = new ArrayList<>();
		GROUPS.collect(PREFIX, names);
		return names;
	}

	private static Node groups() {
		Node caches = Node.map(Node.of(CacheFrameworkProperties.CacheSpec.class), "default");
		Map<String, Node> groups = new TreeMap<>();
		groups.put("caches", caches);
		groups.put("cache-serialization", Node.of(CacheFrameworkProperties.CacheSerialization.class));
		groups.put("cache-middleware", Node.of(CachePageProperties.CacheMiddleware.class));
		groups.put("cache-pages", Node.list(Node.of(CachePageProperties.CachePageEntry.class)));
		groups.put("cache-health", Node.of(CacheHealthProperties.class));
		groups.put("cache-metrics", Node.of(CacheMetricsProperties.class));
		groups.put("cache-async", Node.of(CacheAsyncProperties.class));
		// A single switch read where it is used, without a properties class of its own.
		groups.put("cache-database", Node.bean(Map.of("create-tables", Node.SCALAR)));
		return Node.bean(groups);
	}

	/**
	 * A name the structure does not allow.
	 * @param property the full name, as written
	 * @param reason what is wrong
	 * @param validNames the names valid in its place
	 */
	record Unknown(String property, String reason, List<String> validNames) {
	}

	private enum Kind {

		BEAN, MAP, LIST, SCALAR, ANY

	}

	/**
	 * What may follow a name: a bean's properties, a map's keys, a list's indexes, nothing (a value), or anything
	 * (a map of strings, checked elsewhere).
	 */
	private static final class Node {

		static final Node SCALAR = new Node(Kind.SCALAR, Map.of(), null, "");

		static final Node ANY = new Node(Kind.ANY, Map.of(), null, "");

		final Kind kind;

		/** Bean properties by their uniform name. */
		final Map<String, Node> children;

		/** Bean properties' dashed names by their uniform name. */
		final Map<String, String> names;

		final @Nullable Node element;

		/** How the metadata writes a key or index of this map or list. */
		final String sample;

		private Node(Kind kind, Map<String, Node> children, @Nullable Node element, String sample) {
			this.kind = kind;
			this.children = new TreeMap<>();
			this.names = new TreeMap<>();
			children.forEach((name, child) -> {
				this.children.put(uniform(name), child);
				this.names.put(uniform(name), name);
			});
			this.element = element;
			this.sample = sample;
		}

		static Node bean(Map<String, Node> properties) {
			return new Node(Kind.BEAN, properties, null, "");
		}

		static Node map(Node value, String sampleKey) {
			return new Node(Kind.MAP, Map.of(), value, sampleKey);
		}

		static Node list(Node element) {
			return new Node(Kind.LIST, Map.of(), element, "[0]");
		}

		static Node of(Class<?> type) {
			Map<String, Node> properties = new TreeMap<>();
			for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
				if (descriptor.getReadMethod() != null && !"class".equals(descriptor.getName())) {
					properties.put(CachesBuilder.dashed(descriptor.getName()),
							of(ResolvableType.forMethodReturnType(descriptor.getReadMethod())));
				}
			}
			return bean(properties);
		}

		private static Node of(ResolvableType type) {
			if (type.asMap() != ResolvableType.NONE) {
				ResolvableType value = type.asMap().getGeneric(1);
				// A map of plain values (a backend's options) is checked by whoever binds it.
				return isBean(value) ? map(of(value.toClass()), "default") : ANY;
			}
			if (type.isArray() || type.asCollection() != ResolvableType.NONE) {
				ResolvableType element = type.isArray() ? type.getComponentType() : type.asCollection().getGeneric();
				return list(isBean(element) ? of(element.toClass()) : SCALAR);
			}
			return isBean(type) ? of(type.toClass()) : SCALAR;
		}

		private static boolean isBean(ResolvableType type) {
			Class<?> resolved = type.resolve();
			return resolved != null && !resolved.isEnum() && resolved.getName().startsWith("io.cacheframework.");
		}

		void collect(String prefix, List<String> into) {
			switch (this.kind) {
				case BEAN -> this.children.forEach((uniform, child) -> {
					String name = prefix + "." + this.names.get(uniform);
					if (child.kind == Kind.SCALAR || child.kind == Kind.ANY
							|| (child.kind == Kind.LIST && child.element.kind == Kind.SCALAR)) {
						into.add(name);
					}
					child.collect(name, into);
				});
				case MAP -> this.element.collect(prefix + "." + this.sample, into);
				case LIST -> {
					if (this.element.kind == Kind.BEAN) {
						into.add(prefix);
						this.element.collect(prefix + this.sample, into);
					}
				}
				default -> {
				}
			}
		}

	}

}
