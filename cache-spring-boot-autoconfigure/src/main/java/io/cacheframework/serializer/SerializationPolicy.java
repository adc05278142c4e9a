package io.cacheframework.serializer;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Which classes may be read back from Java serialization, and how large a serialized graph may be: the
 * {@link ObjectInputFilter} that stands between a shared store's bytes and the JVM.
 *
 * <p>Allowed by default: immutable and collection types of the JDK ({@code java.lang}, {@code java.util},
 * {@code java.util.concurrent}, {@code java.time}, {@code java.math}, {@code java.net.URI}) and this library's own
 * types. Everything else is refused unless added, typically the application's own packages
 * ({@code com.example.**}). Patterns use {@link ObjectInputFilter.Config#createFilter} syntax.
 *
 * @since 0.1.0
 */
public final class SerializationPolicy {

	/**
	 * Patterns allowed by every policy.
	 */
	public static final List<String> JDK_VALUE_TYPES = List.of("java.lang.*", "java.util.*", "java.util.concurrent.*",
			"java.util.concurrent.atomic.*", "java.time.*", "java.time.chrono.*", "java.time.temporal.*",
			"java.time.zone.*", "java.math.*", "java.net.URI", "io.cacheframework.**");

	/**
	 * Default maximum nesting depth of a serialized graph (a shallow limit stops hash-collision bombs).
	 */
	public static final int DEFAULT_MAX_DEPTH = 20;

	/**
	 * Default maximum number of object references in one value.
	 */
	public static final long DEFAULT_MAX_REFERENCES = 100_000;

	/**
	 * Default maximum length of any array in one value.
	 */
	public static final long DEFAULT_MAX_ARRAY_LENGTH = 10_000_000;

	/**
	 * Default maximum serialized size of one value, 64 MiB.
	 */
	public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

	private final List<String> allowedClasses;

	private final int maxDepth;

	private final long maxReferences;

	private final long maxArrayLength;

	private final long maxBytes;

	private final ObjectInputFilter filter;

	private SerializationPolicy(List<String> allowedClasses, int maxDepth, long maxReferences, long maxArrayLength,
			long maxBytes) {
		this.allowedClasses = List.copyOf(allowedClasses);
		this.maxDepth = maxDepth;
		this.maxReferences = maxReferences;
		this.maxArrayLength = maxArrayLength;
		this.maxBytes = maxBytes;
		this.filter = ObjectInputFilter.Config.createFilter(filterSpec());
	}

	/**
	 * The default policy: JDK value types only, default limits.
	 * @return the policy
	 */
	public static SerializationPolicy defaults() {
		return new SerializationPolicy(JDK_VALUE_TYPES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFERENCES,
				DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_BYTES);
	}

	/**
	 * A policy that also allows the given class patterns.
	 * @param patterns patterns such as {@code com.example.**} or {@code com.example.Person}
	 * @return a new policy
	 */
	public SerializationPolicy allow(Collection<String> patterns) {
		List<String> allowed = new ArrayList<>(this.allowedClasses);
		for (String pattern : patterns) {
			validatePattern(pattern);
			if (!allowed.contains(pattern)) {
				allowed.add(pattern);
			}
		}
		return new SerializationPolicy(allowed, this.maxDepth, this.maxReferences, this.maxArrayLength,
				this.maxBytes);
	}

	/**
	 * A policy with other limits.
	 * @param maxDepth maximum graph depth
	 * @param maxReferences maximum object references
	 * @param maxArrayLength maximum array length
	 * @param maxBytes maximum serialized size in bytes
	 * @return a new policy
	 */
	public SerializationPolicy withLimits(int maxDepth, long maxReferences, long maxArrayLength, long maxBytes) {
		if (maxDepth < 1 || maxReferences < 1 || maxArrayLength < 0 || maxBytes < 1) {
			throw new IllegalArgumentException("Serialization limits must be positive");
		}
		return new SerializationPolicy(this.allowedClasses, maxDepth, maxReferences, maxArrayLength, maxBytes);
	}

	private static void validatePattern(String pattern) {
		Objects.requireNonNull(pattern, "pattern must not be null");
		if (pattern.isBlank() || pattern.contains(";") || pattern.startsWith("!") || pattern.contains("=")
				|| pattern.equals("*") || pattern.equals("**")) {
			throw new IllegalArgumentException("'" + pattern
					+ "' is not an allowed-class pattern: use a class name, 'package.*' or 'package.**'");
		}
	}

	private String filterSpec() {
		return "maxdepth=" + this.maxDepth + ";maxrefs=" + this.maxReferences + ";maxarray=" + this.maxArrayLength
				+ ";maxbytes=" + this.maxBytes + ";" + String.join(";", this.allowedClasses) + ";!*";
	}

	/**
	 * The allowed class patterns.
	 * @return the patterns
	 */
	public List<String> allowedClasses() {
		return this.allowedClasses;
	}

	/**
	 * The maximum serialized size of one value.
	 * @return bytes
	 */
	public long maxBytes() {
		return this.maxBytes;
	}

	/**
	 * The filter for reading.
	 * @return the filter
	 */
	public ObjectInputFilter filter() {
		return this.filter;
	}

	/**
	 * Whether a class may be read back; checked when writing so that a value that could never be read fails at
	 * {@code set} with a clear message instead of becoming a silent miss.
	 * @param type the class
	 * @return whether it is allowed
	 */
	public boolean isAllowed(Class<?> type) {
		Class<?> checked = type;
		while (checked.isArray()) {
			checked = checked.getComponentType();
		}
		if (checked.isPrimitive()) {
			return true;
		}
		ObjectInputFilter.Status status = this.filter.checkInput(new ClassOnly(checked));
		return status != ObjectInputFilter.Status.REJECTED;
	}

	@Override
	public String toString() {
		return "SerializationPolicy[" + filterSpec() + "]";
	}

	private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {

		@Override
		public long arrayLength() {
			return -1;
		}

		@Override
		public long depth() {
			return 1;
		}

		@Override
		public long references() {
			return 1;
		}

		@Override
		public long streamBytes() {
			return 0;
		}

	}

}
