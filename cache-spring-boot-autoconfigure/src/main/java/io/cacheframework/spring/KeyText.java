package io.cacheframework.spring;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;

/**
 * The text of a Spring cache key: one text per key, and different texts for keys that are not {@code equals}, so
 * two keys never share an entry because their {@code toString()} happen to match ({@code 42L} and {@code "42"},
 * {@code SimpleKey("a, b", "c")} and {@code SimpleKey("a", "b, c")}).
 *
 * <p>A {@code String} is its own text, so {@code @Cacheable(key = "'x'")} and {@code cache.get("x")} share an entry,
 * unless it starts with {@code ~} or {@code #}; everything else is {@code ~<tag>:<payload>}:
 * <table>
 * <caption>Key texts</caption>
 * <tr><th>key</th><th>text</th></tr>
 * <tr><td>{@code "invoice"}</td><td>{@code invoice}</td></tr>
 * <tr><td>a {@code String} starting with {@code ~} or {@code #}</td><td>{@code ~str:} + the string</td></tr>
 * <tr><td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code Double}, {@code Float},
 * {@code Boolean}, {@code Character}</td><td>{@code ~int:42}, {@code ~long:42}, {@code ~short:}, {@code ~byte:},
 * {@code ~double:1.5}, {@code ~float:}, {@code ~boolean:true}, {@code ~char:x}</td></tr>
 * <tr><td>{@code BigInteger}, {@code BigDecimal}, {@code UUID}</td><td>{@code ~bigint:}, {@code ~decimal:1.50},
 * {@code ~uuid:}</td></tr>
 * <tr><td>{@code null} (inside a composite key)</td><td>{@code ~null:}</td></tr>
 * <tr><td>{@code SimpleKey} (several method arguments)</td><td>{@code ~key:} + its parts</td></tr>
 * <tr><td>{@code List}; {@code Set}; {@code Map}</td><td>{@code ~list:}, {@code ~set:}, {@code ~map:} + parts
 * (a set's parts sorted, a map's key and value parts sorted by key)</td></tr>
 * <tr><td>an array</td><td>{@code ~@[I:} (its class name) + its elements as parts</td></tr>
 * <tr><td>a record</td><td>{@code ~@com.example.Query:} + its components as parts</td></tr>
 * <tr><td>an enum constant</td><td>{@code ~@com.example.Color:RED} (its name)</td></tr>
 * <tr><td>anything else</td><td>{@code ~@com.example.Sku:} + its {@code toString()}</td></tr>
 * </table>
 * Each part is {@code <length>:<text>}: the part's own text, prefixed with its length in UTF-16 units (Java's
 * {@link String#length()}), so {@code SimpleKey("a, b", "c")} is {@code ~key:4:a, b1:c} and
 * {@code SimpleKey("a", "b, c")} is {@code ~key:1:a4:b, c}. The text of "anything else" is only as unambiguous as
 * its {@code toString()}: equal keys must give equal text, and a type whose {@code toString()} is
 * {@code Object}'s is refused.
 */
final class KeyText {

	private static final Log logger = LogFactory.getLog(KeyText.class);

	private static final Map<Class<?>, String> SCALAR_TAGS = Map.ofEntries(Map.entry(Integer.class, "int"),
			Map.entry(Long.class, "long"), Map.entry(Short.class, "short"), Map.entry(Byte.class, "byte"),
			Map.entry(Double.class, "double"), Map.entry(Float.class, "float"), Map.entry(Boolean.class, "boolean"),
			Map.entry(Character.class, "char"), Map.entry(BigInteger.class, "bigint"),
			Map.entry(BigDecimal.class, "decimal"), Map.entry(UUID.class, "uuid"));

	/**
	 * {@code SimpleKey.params}: Spring offers no accessor, and its {@code toString()} (the arguments joined with
	 * {@code ", "}) is what made different argument lists collide. Looked up once; {@code null} if it is gone.
	 */
	private static final @Nullable VarHandle SIMPLE_KEY_PARAMS = simpleKeyParams();

	private static final ClassValue<Boolean> HAS_OWN_TO_STRING = new ClassValue<>() {

		@Override
		protected Boolean computeValue(Class<?> type) {
			try {
				return type.getMethod("toString").getDeclaringClass() != Object.class;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

	};

	/**
	 * The accessors of each record type, or {@code null} if they cannot be called (a record in a module that does
	 * not open its package): such a record falls back to its {@code toString()}.
	 */
	private static final ClassValue<MethodHandle @Nullable []> RECORD_ACCESSORS = new ClassValue<>() {

		@Override
		protected MethodHandle @Nullable [] computeValue(Class<?> type) {
			RecordComponent[] components = type.getRecordComponents();
			MethodHandle[] accessors = new MethodHandle[components.length];
			try {
				for (int i = 0; i < components.length; i++) {
					Method accessor = components[i].getAccessor();
					accessor.setAccessible(true);
					accessors[i] = MethodHandles.lookup().unreflect(accessor);
				}
				return accessors;
			}
			catch (IllegalAccessException | RuntimeException ex) {
				return null;
			}
		}

	};

	private KeyText() {
	}

	/**
	 * The text of a key.
	 * @param key a Spring cache key
	 * @return its text
	 * @throws IllegalStateException for a type (or a part) that keeps {@code Object}'s {@code toString()}
	 */
	static String of(Object key) {
		if (key instanceof String text) {
			// The common case: no copy, no builder.
			return isPlain(text) ? text : "~str:" + text;
		}
		StringBuilder out = new StringBuilder(32);
		append(out, key, null);
		return out.toString();
	}

	private static boolean isPlain(String text) {
		return text.isEmpty() || (text.charAt(0) != '~' && text.charAt(0) != '#');
	}

	/**
	 * Append a key's text. {@code seen} holds the composites being written, so that a list containing itself fails
	 * clearly instead of overflowing the stack.
	 */
	private static void append(StringBuilder out, @Nullable Object key,
			@Nullable IdentityHashMap<Object, Boolean> seen) {
		if (key == null) {
			out.append("~null:");
			return;
		}
		if (key instanceof String text) {
			out.append(isPlain(text) ? "" : "~str:").append(text);
			return;
		}
		Class<?> type = key.getClass();
		String scalar = SCALAR_TAGS.get(type);
		if (scalar != null) {
			// Their toString() is canonical: equal values, equal text, and only those (BigDecimal keeps its scale,
			// as its equals does).
			out.append('~').append(scalar).append(':').append(key);
			return;
		}
		if (key instanceof Enum<?> constant) {
			out.append("~@").append(constant.getDeclaringClass().getName()).append(':').append(constant.name());
			return;
		}
		List<?> parts = parts(key, type);
		if (parts == null) {
			if (!HAS_OWN_TO_STRING.get(type)) {
				throw new IllegalStateException("Cannot use a " + type.getName() + " as a cache key: it does not"
						+ " override toString(), so equal keys would not map to one entry");
			}
			out.append("~@").append(type.getName()).append(':').append(key);
			return;
		}
		IdentityHashMap<Object, Boolean> path = (seen != null) ? seen : new IdentityHashMap<>();
		if (path.put(key, Boolean.TRUE) != null) {
			throw new IllegalStateException("Cannot use a " + type.getName() + " that contains itself as a cache key");
		}
		out.append('~').append(tag(key, type)).append(':');
		if (key instanceof Set<?> || key instanceof Map<?, ?>) {
			// Sets and maps are equal whatever their order: write their parts in one order.
			List<String> texts = new ArrayList<>(parts.size());
			for (Object part : parts) {
				texts.add(partText(part, path));
			}
			texts.sort(null);
			for (String text : texts) {
				out.append(text.length()).append(':').append(text);
			}
		}
		else {
			for (Object part : parts) {
				String text = partText(part, path);
				out.append(text.length()).append(':').append(text);
			}
		}
		path.remove(key);
	}

	private static String partText(@Nullable Object part, IdentityHashMap<Object, Boolean> path) {
		if (part instanceof MapEntry entry) {
			String keyText = partText(entry.key(), path);
			String valueText = partText(entry.value(), path);
			return keyText.length() + ":" + keyText + valueText.length() + ":" + valueText;
		}
		StringBuilder text = new StringBuilder();
		append(text, part, path);
		return text.toString();
	}

	private static String tag(Object key, Class<?> type) {
		if (key instanceof SimpleKey) {
			return "key";
		}
		if (key instanceof List<?>) {
			return "list";
		}
		if (key instanceof Set<?>) {
			return "set";
		}
		if (key instanceof Map<?, ?>) {
			return "map";
		}
		// Arrays and records: by class, since int[] and Integer[], or two records, are never equal.
		return "@" + type.getName();
	}

	/**
	 * The parts of a composite key, or {@code null} if the key is not one written part by part.
	 */
	private static @Nullable List<?> parts(Object key, Class<?> type) {
		if (key instanceof SimpleKey simpleKey) {
			return (SIMPLE_KEY_PARAMS != null) ? Arrays.asList((Object[]) SIMPLE_KEY_PARAMS.get(simpleKey)) : null;
		}
		if (key instanceof List<?> list) {
			return list;
		}
		if (key instanceof Set<?> set) {
			return new ArrayList<>(set);
		}
		if (key instanceof Map<?, ?> map) {
			List<MapEntry> entries = new ArrayList<>(map.size());
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				entries.add(new MapEntry(entry.getKey(), entry.getValue()));
			}
			return entries;
		}
		if (type.isArray()) {
			int length = Array.getLength(key);
			List<@Nullable Object> elements = new ArrayList<>(length);
			for (int i = 0; i < length; i++) {
				elements.add(Array.get(key, i));
			}
			return elements;
		}
		if (type.isRecord()) {
			MethodHandle[] accessors = RECORD_ACCESSORS.get(type);
			if (accessors == null) {
				return null;
			}
			List<@Nullable Object> components = new ArrayList<>(accessors.length);
			for (MethodHandle accessor : accessors) {
				try {
					components.add(accessor.invoke(key));
				}
				catch (RuntimeException | Error ex) {
					throw ex;
				}
				catch (Throwable ex) {
					throw new IllegalStateException("Cannot read a component of cache key " + type.getName(), ex);
				}
			}
			return components;
		}
		// Anything else, other collections (a queue, a bag) included: its toString() with its class.
		return null;
	}

	private static @Nullable VarHandle simpleKeyParams() {
		try {
			return MethodHandles.privateLookupIn(SimpleKey.class, MethodHandles.lookup())
				.findVarHandle(SimpleKey.class, "params", Object[].class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.warn("Cannot read the arguments of Spring's SimpleKey (" + ex + "); SimpleKey cache keys fall back"
					+ " to their toString(), where arguments containing \", \" can collide");
			return null;
		}
	}

	private record MapEntry(@Nullable Object key, @Nullable Object value) {
	}

}
