package io.cacheframework.autoconfigure;

import io.cacheframework.backend.filesystem.FileSystemCacheBackend;
import io.cacheframework.backend.filesystem.FileSystemOptions;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.InvalidCacheOptionException;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Contributes the {@code filesystem} backend (Django's {@code FileBasedCache}). It needs no extra library, so it is
 * always available.
 *
 * <pre class="code">
 * app:
 *   caches:
 *     default:
 *       backend: filesystem
 *       location: /var/tmp/myapp-cache
 * </pre>
 *
 * @since 0.1.0
 */
@AutoConfiguration
public class FileSystemCacheBackendAutoConfiguration {

	/**
	 * The factory of file-system backends.
	 * @return the factory named {@code filesystem}
	 */
	@Bean
	@ConditionalOnMissingBean(name = "fileSystemCacheBackendFactory")
	public CacheBackendFactory fileSystemCacheBackendFactory() {
		return CacheBackendFactory.of("filesystem", FileSystemCacheBackendAutoConfiguration::createBackend);
	}

	/**
	 * Builds a {@link FileSystemCacheBackend} per alias from {@code app.caches.<alias>.options} bound to
	 * {@link FileSystemOptions}. An option the backend refuses fails startup naming
	 * {@code app.caches.<alias>.options.<option>}; a location problem naming {@code app.caches.<alias>.location}.
	 */
	static CacheBackend createBackend(CacheBackendContext context) {
		FileSystemOptions options = context.bindOptions(FileSystemOptions.class);
		try {
			return new FileSystemCacheBackend(context.settings(), context.serializer(), options);
		}
		catch (InvalidCacheOptionException ex) {
			// Named by the configuration (CachesBuilder).
			throw ex;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCacheConfigurationException(context.propertyPrefix() + ".location", ex.getMessage(),
					ex);
		}
	}

}
