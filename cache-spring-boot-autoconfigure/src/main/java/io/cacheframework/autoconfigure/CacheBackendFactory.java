package io.cacheframework.autoconfigure;

import java.util.Objects;
import java.util.function.Function;

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
	 * @throws InvalidCacheConfigurationException for bad configuration, naming the property (what
	 * {@link CacheBackendContext#bindOptions(Class)} and an {@link io.cacheframework.core.InvalidCacheOptionException}
	 * produce); anything else it throws fails startup reported against {@code app.caches.<alias>}
	 */
	CacheBackend create(CacheBackendContext context);

	/**
	 * A factory from a name and a function, for the common case where creating a backend is one call.
	 * <pre class="code">
	 * &#64;Bean
	 * CacheBackendFactory myCacheBackendFactory() {
	 *     return CacheBackendFactory.of("mine", (context) -&gt; new MyCacheBackend(context.settings()));
	 * }
	 * </pre>
	 * @param name the backend name used in {@code app.caches.<alias>.backend}
	 * @param creator creates a backend for one alias
	 * @return the factory
	 */
	static CacheBackendFactory of(String name, Function<CacheBackendContext, ? extends CacheBackend> creator) {
		Objects.requireNonNull(name, "name must not be null");
		Objects.requireNonNull(creator, "creator must not be null");
		return new CacheBackendFactory() {

			@Override
			public String name() {
				return name;
			}

			@Override
			public CacheBackend create(CacheBackendContext context) {
				return creator.apply(context);
			}

			@Override
			public String toString() {
				return "CacheBackendFactory[" + name + "]";
			}

		};
	}

}
