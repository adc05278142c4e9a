package io.cacheframework.autoconfigure;

import io.cacheframework.backend.filesystem.FileSystemCacheBackend;
import io.cacheframework.core.CacheBackend;

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
	 * Builds a {@link FileSystemCacheBackend} per alias; location problems fail startup naming
	 * {@code app.caches.<alias>.location}.
	 */
	static CacheBackend createBackend(CacheBackendContext context) {
		FileSystemCacheBackend.Options options = context.bindOptions(FileSystemCacheBackend.Options.class);
		long maxValueBytes = options.getMaxValueBytes();
		if (maxValueBytes <= 0 || maxValueBytes > Integer.MAX_VALUE - 1024) {
			throw new InvalidCacheConfigurationException(context.propertyPrefix() + ".options.max-value-bytes",
					"must be between 1 and " + (Integer.MAX_VALUE - 1024) + ", got " + maxValueBytes);
		}
		try {
			return new FileSystemCacheBackend(context.settings(), context.serializer(), options);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCacheConfigurationException(context.propertyPrefix() + ".location", ex.getMessage(),
					ex);
		}
	}

}
