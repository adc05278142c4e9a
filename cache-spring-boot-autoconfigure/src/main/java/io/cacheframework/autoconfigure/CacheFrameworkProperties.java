package io.cacheframework.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Django's {@code CACHES} setting as Spring configuration: {@code app.caches.<alias>.*}.
 *
 * <pre class="code">
 * app:
 *   caches:
 *     default:
 *       backend: memcached
 *       location: 127.0.0.1:11211
 *       timeout: 5m
 * </pre>
 *
 * @since 0.1.0
 */
@ConfigurationProperties(CacheFrameworkProperties.PREFIX)
public class CacheFrameworkProperties {

	/**
	 * The common prefix of this library's properties.
	 */
	public static final String PREFIX = "app";

	/**
	 * Caches by alias, as Django's CACHES. The "default" alias is required when any alias is configured; with none,
	 * a local-memory "default" cache is used.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	private final CacheSerialization cacheSerialization = new CacheSerialization();

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	public CacheSerialization getCacheSerialization() {
		return this.cacheSerialization;
	}

	/**
	 * One cache, as one entry of Django's CACHES.
	 */
	public static class CacheSpec {

		/**
		 * Backend: locmem, dummy, filesystem, database, memcached, or the class name of a custom CacheBackend with a
		 * public constructor taking CacheSettings.
		 */
		private String backend = "locmem";

		/**
		 * Django's LOCATION. locmem: store name; filesystem: absolute directory; database: table name; memcached:
		 * "host:port", a list of those, a ";"- or ","-separated string, or "unix:/path/to.sock".
		 */
		private List<String> location = new ArrayList<>();

		/**
		 * Default timeout: seconds ("300"), a duration ("15m"), or "none" to never expire (Django's None). "0" stores
		 * nothing (Django: expire at once). A negative value fails startup.
		 */
		private String timeout = "300";

		/**
		 * Django's KEY_PREFIX, prepended to every key.
		 */
		private String keyPrefix = "";

		/**
		 * Django's VERSION, the default version of keys.
		 */
		private int version = 1;

		/**
		 * Django's KEY_FUNCTION: the name of a KeyFunction bean, or the class name of a KeyFunction with a no-arg
		 * constructor. Default: "prefix:version:key".
		 */
		private String keyFunction;

		/**
		 * Backend-specific options, Django's OPTIONS: max-entries and cull-frequency (locmem, filesystem, database),
		 * memcached client settings, database data sources.
		 */
		private Map<String, String> options = new LinkedHashMap<>();

		public String getBackend() {
			return this.backend;
		}

		public void setBackend(String backend) {
			this.backend = backend;
		}

		public List<String> getLocation() {
			return this.location;
		}

		public void setLocation(List<String> location) {
			this.location = location;
		}

		public String getTimeout() {
			return this.timeout;
		}

		public void setTimeout(String timeout) {
			this.timeout = timeout;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public int getVersion() {
			return this.version;
		}

		public void setVersion(int version) {
			this.version = version;
		}

		public String getKeyFunction() {
			return this.keyFunction;
		}

		public void setKeyFunction(String keyFunction) {
			this.keyFunction = keyFunction;
		}

		public Map<String, String> getOptions() {
			return this.options;
		}

		public void setOptions(Map<String, String> options) {
			this.options = options;
		}

	}

	/**
	 * How values that are not plain strings, numbers or bytes are serialized.
	 */
	public static class CacheSerialization {

		/**
		 * Extra classes that may be read back from Java serialization, as ObjectInputFilter patterns
		 * ("com.example.Person", "com.example.*", "com.example.**"). JDK value types and the application's own
		 * packages are always allowed.
		 */
		private List<String> allowedClasses = new ArrayList<>();

		/**
		 * Maximum nesting depth of a serialized value.
		 */
		private int maxDepth = 20;

		/**
		 * Maximum number of object references in a serialized value.
		 */
		private long maxReferences = 100_000;

		/**
		 * Maximum array length in a serialized value.
		 */
		private long maxArrayLength = 10_000_000;

		/**
		 * Maximum size in bytes of a serialized value (64 MiB).
		 */
		private long maxBytes = 67108864;

		public List<String> getAllowedClasses() {
			return this.allowedClasses;
		}

		public void setAllowedClasses(List<String> allowedClasses) {
			this.allowedClasses = allowedClasses;
		}

		public int getMaxDepth() {
			return this.maxDepth;
		}

		public void setMaxDepth(int maxDepth) {
			this.maxDepth = maxDepth;
		}

		public long getMaxReferences() {
			return this.maxReferences;
		}

		public void setMaxReferences(long maxReferences) {
			this.maxReferences = maxReferences;
		}

		public long getMaxArrayLength() {
			return this.maxArrayLength;
		}

		public void setMaxArrayLength(long maxArrayLength) {
			this.maxArrayLength = maxArrayLength;
		}

		public long getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(long maxBytes) {
			this.maxBytes = maxBytes;
		}

	}

}
