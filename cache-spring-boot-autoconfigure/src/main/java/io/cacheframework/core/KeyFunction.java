package io.cacheframework.core;

/**
 * Makes the stored key from the caller's key, the cache's key prefix and a version: Django's {@code KEY_FUNCTION}.
 *
 * <p>The default is Django's {@code "%s:%s:%s" % (key_prefix, version, key)}, e.g. {@code ":1:username"}. Made keys
 * are what memcached stores, so a Java application and a Django application with the same prefix and version read
 * each other's entries.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface KeyFunction {

	/**
	 * Django's default key function: {@code prefix:version:key}.
	 */
	KeyFunction DEFAULT = (key, keyPrefix, version) -> keyPrefix + ':' + version + ':' + key;

	/**
	 * Make the stored key.
	 * @param key the caller's key
	 * @param keyPrefix the cache's key prefix (may be empty)
	 * @param version the version to store under
	 * @return the made key
	 */
	String makeKey(String key, String keyPrefix, int version);

}
