package io.cacheframework.core;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The settings every backend shares, Django's {@code CACHES[alias]} minus the backend-specific {@code OPTIONS}:
 * alias, location, default timeout, key prefix, version, key function, culling limits and the clock that decides
 * expiry. Immutable; build one with {@link #builder(String)}.
 *
 * <pre class="code">
 * CacheSettings settings = CacheSettings.builder("default").timeout(Timeout.seconds(60)).keyPrefix("myapp").build();
 * CacheBackend cache = new LocMemCacheBackend(settings);
 * </pre>
 *
 * @since 0.1.0
 */
public final class CacheSettings {

	/**
	 * Django's default timeout, 300 seconds.
	 */
	public static final Timeout DEFAULT_TIMEOUT = Timeout.seconds(300);

	/**
	 * Django's default {@code MAX_ENTRIES}.
	 */
	public static final int DEFAULT_MAX_ENTRIES = 300;

	/**
	 * Django's default {@code CULL_FREQUENCY}.
	 */
	public static final int DEFAULT_CULL_FREQUENCY = 3;

	private final String alias;

	private final String location;

	private final Timeout timeout;

	private final String keyPrefix;

	private final int version;

	private final KeyFunction keyFunction;

	private final int maxEntries;

	private final int cullFrequency;

	private final Clock clock;

	private final @Nullable CacheExecutor executor;

	private final Map<String, String> options;

	private CacheSettings(Builder builder) {
		this.alias = builder.alias;
		this.location = builder.location;
		this.timeout = builder.timeout;
		this.keyPrefix = builder.keyPrefix;
		this.version = builder.version;
		this.keyFunction = builder.keyFunction;
		this.maxEntries = builder.maxEntries;
		this.cullFrequency = builder.cullFrequency;
		this.clock = builder.clock;
		this.executor = builder.executor;
		this.options = Collections.unmodifiableMap(new LinkedHashMap<>(builder.options));
	}

	/**
	 * Start building settings.
	 * @param alias the alias the cache is configured under
	 * @return a builder with Django's defaults
	 */
	public static Builder builder(String alias) {
		return new Builder(alias);
	}

	/**
	 * A builder initialised from these settings.
	 * @return a builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder(this.alias).location(this.location)
			.timeout(this.timeout)
			.keyPrefix(this.keyPrefix)
			.version(this.version)
			.keyFunction(this.keyFunction)
			.maxEntries(this.maxEntries)
			.cullFrequency(this.cullFrequency)
			.clock(this.clock);
		builder.executor = this.executor;
		builder.options.putAll(this.options);
		return builder;
	}

	/**
	 * The alias.
	 * @return the alias
	 */
	public String alias() {
		return this.alias;
	}

	/**
	 * Django's {@code LOCATION}: a store name, directory, table or server list, depending on the backend.
	 * @return the location, {@code ""} if not set
	 */
	public String location() {
		return this.location;
	}

	/**
	 * The default timeout: {@link Timeout#NEVER} or a duration, never {@link Timeout#DEFAULT}.
	 * @return the default timeout
	 */
	public Timeout timeout() {
		return this.timeout;
	}

	/**
	 * Django's {@code KEY_PREFIX}.
	 * @return the key prefix
	 */
	public String keyPrefix() {
		return this.keyPrefix;
	}

	/**
	 * Django's {@code VERSION}.
	 * @return the default version
	 */
	public int version() {
		return this.version;
	}

	/**
	 * Django's {@code KEY_FUNCTION}.
	 * @return the key function
	 */
	public KeyFunction keyFunction() {
		return this.keyFunction;
	}

	/**
	 * Django's {@code OPTIONS['MAX_ENTRIES']}: entries allowed before culling (local memory, file system, database).
	 * @return the maximum
	 */
	public int maxEntries() {
		return this.maxEntries;
	}

	/**
	 * Django's {@code OPTIONS['CULL_FREQUENCY']}: 1/N of the entries are culled when the maximum is reached; 0
	 * clears everything.
	 * @return the cull frequency
	 */
	public int cullFrequency() {
		return this.cullFrequency;
	}

	/**
	 * The clock that decides expiry (tests inject a fixed or movable one).
	 * @return the clock
	 */
	public Clock clock() {
		return this.clock;
	}

	/**
	 * The executor on which the asynchronous API runs the calls of a store without an asynchronous client.
	 * @return the executor; {@link CacheExecutor#shared()} unless one was set
	 */
	public CacheExecutor executor() {
		return (this.executor != null) ? this.executor : CacheExecutor.shared();
	}

	/**
	 * Backend-specific options as configured ({@code app.caches.<alias>.options.*}), for custom backends.
	 * @return the raw options
	 */
	public Map<String, String> options() {
		return this.options;
	}

	/**
	 * Builds {@link CacheSettings}.
	 */
	public static final class Builder {

		private final String alias;

		private String location = "";

		private Timeout timeout = DEFAULT_TIMEOUT;

		private String keyPrefix = "";

		private int version = 1;

		private KeyFunction keyFunction = KeyFunction.DEFAULT;

		private int maxEntries = DEFAULT_MAX_ENTRIES;

		private int cullFrequency = DEFAULT_CULL_FREQUENCY;

		private Clock clock = Clock.systemUTC();

		private @Nullable CacheExecutor executor;

		private final Map<String, String> options = new LinkedHashMap<>();

		private Builder(String alias) {
			this.alias = Objects.requireNonNull(alias, "alias must not be null");
		}

		/**
		 * Set the location.
		 * @param location the location
		 * @return this builder
		 */
		public Builder location(String location) {
			this.location = Objects.requireNonNull(location, "location must not be null");
			return this;
		}

		/**
		 * Set the default timeout.
		 * @param timeout a duration or {@link Timeout#NEVER}
		 * @return this builder
		 * @throws IllegalArgumentException for {@link Timeout#DEFAULT}
		 */
		public Builder timeout(Timeout timeout) {
			Objects.requireNonNull(timeout, "timeout must not be null");
			if (timeout.isDefault()) {
				throw new IllegalArgumentException("A cache's default timeout must be a duration or Timeout.NEVER");
			}
			this.timeout = timeout;
			return this;
		}

		/**
		 * Set the key prefix.
		 * @param keyPrefix the prefix
		 * @return this builder
		 */
		public Builder keyPrefix(String keyPrefix) {
			this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix must not be null");
			return this;
		}

		/**
		 * Set the default version.
		 * @param version the version
		 * @return this builder
		 */
		public Builder version(int version) {
			this.version = version;
			return this;
		}

		/**
		 * Set the key function.
		 * @param keyFunction the key function
		 * @return this builder
		 */
		public Builder keyFunction(KeyFunction keyFunction) {
			this.keyFunction = Objects.requireNonNull(keyFunction, "keyFunction must not be null");
			return this;
		}

		/**
		 * Set the maximum number of entries before culling.
		 * @param maxEntries the maximum
		 * @return this builder
		 */
		public Builder maxEntries(int maxEntries) {
			this.maxEntries = maxEntries;
			return this;
		}

		/**
		 * Set the cull frequency.
		 * @param cullFrequency 1/N of the entries are culled; 0 clears all
		 * @return this builder
		 */
		public Builder cullFrequency(int cullFrequency) {
			this.cullFrequency = cullFrequency;
			return this;
		}

		/**
		 * Set the clock.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Set the executor for the asynchronous calls of a store without an asynchronous client (the application's
		 * one; default {@link CacheExecutor#shared()}).
		 * @param executor the executor
		 * @return this builder
		 */
		public Builder executor(CacheExecutor executor) {
			this.executor = Objects.requireNonNull(executor, "executor must not be null");
			return this;
		}

		/**
		 * Add a raw backend option.
		 * @param name the option name, e.g. {@code operation-timeout}
		 * @param value the value
		 * @return this builder
		 */
		public Builder option(String name, String value) {
			this.options.put(name, value);
			return this;
		}

		/**
		 * Build the settings.
		 * @return the settings
		 */
		public CacheSettings build() {
			return new CacheSettings(this);
		}

	}

}
