package io.cacheframework.autoconfigure;

import io.cacheframework.core.CacheBackend;

/**
 * Creates the backends of one kind, e.g. {@code memcached}. Each built-in backend contributes one factory bean from
 * its own auto-configuration, which applies only when the backend's library is on the classpath; an application can
 * add its own. {@code app.caches.<alias>.backend} names a factory, or the class name of a {@link CacheBackend} with a
 * public constructor taking {@link io.cacheframework.core.CacheSettings}.
 *
 * @since 0.1.0
 */
public interface CacheBackendFactory {

	/**
	 * The backend name used in {@code app.caches.<alias>.backend}.
	 * @return the name, e.g. {@code "memcached"}
	 */
	String name();

	/**
	 * Create a backend for one alias.
	 * @param context the alias's settings and what the backend may need from the application
	 * @return the backend; it is closed when the application context closes
	 * @throws org.springframework.boot.context.properties.bind.BindException or
	 * {@link InvalidCacheConfigurationException} for bad configuration, naming the property
	 */
	CacheBackend create(CacheBackendContext context);

}
