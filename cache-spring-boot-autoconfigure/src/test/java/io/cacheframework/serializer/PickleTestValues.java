package io.cacheframework.serializer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builders for the Java values the pickle readers produce, and a description that compares values with their types.
 */
final class PickleTestValues {

	private static final HexFormat HEX = HexFormat.of();

	private PickleTestValues() {
	}

	/** The value with every class spelled out, sets sorted: equal descriptions mean equal values of equal types. */
	static String describe(Object value) {
		if (value == null) {
			return "None";
		}
		if (value instanceof byte[] bytes) {
			return "bytes:" + HEX.formatHex(bytes);
		}
		String type = value.getClass().getSimpleName();
		if (value instanceof Map<?, ?> map) {
			return type + map.entrySet()
				.stream()
				.map((e) -> describe(e.getKey()) + "=" + describe(e.getValue()))
				.collect(Collectors.joining(", ", "{", "}"));
		}
		if (value instanceof Set<?> set) {
			return type + set.stream().map(PickleTestValues::describe).sorted().collect(Collectors.joining(", ", "{", "}"));
		}
		if (value instanceof Collection<?> list) {
			return type + list.stream().map(PickleTestValues::describe).collect(Collectors.joining(", ", "[", "]"));
		}
		return type + ":" + value;
	}

	static List<Object> tuple(Object... items) {
		return Collections.unmodifiableList(Arrays.asList(items));
	}

	static Set<Object> frozenset(Object... items) {
		return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(items)));
	}

	static List<Object> list(Object... items) {
		return new ArrayList<>(Arrays.asList(items));
	}

	static Map<Object, Object> map(Object... keysAndValues) {
		Map<Object, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put(keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

}
