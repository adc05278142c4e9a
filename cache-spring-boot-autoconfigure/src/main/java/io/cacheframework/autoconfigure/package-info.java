/**
 * Spring Boot auto-configuration: {@code app.caches.*} to backends, beans and Spring's cache manager.
 */
package io.cacheframework.autoconfigure;
