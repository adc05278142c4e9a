package io.cacheframework.autoconfigure;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.ApplicationArguments;
import org.springframework.context.ApplicationContext;

/**
 * {@code app.cache-database.create-tables=true}: creates missing database-cache tables once every bean exists,
 * before the web server starts taking requests. A table that cannot be created fails startup, naming it.
 */
final class CacheTablesAtStartup implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(CacheTablesAtStartup.class);

	private final boolean enabled;

	private final ApplicationContext context;

	private final ObjectProvider<ApplicationArguments> arguments;

	CacheTablesAtStartup(boolean enabled, ApplicationContext context, ObjectProvider<ApplicationArguments> arguments) {
		this.enabled = enabled;
		this.context = context;
		this.arguments = arguments;
	}

	@Override
	public void afterSingletonsInstantiated() {
		ApplicationArguments args = this.arguments.getIfAvailable();
		if (!this.enabled
				|| (args != null && args.getNonOptionArgs().contains(CreateCacheTableCommand.COMMAND))) {
			// The createcachetable command reports what it creates itself.
			return;
		}
		for (DatabaseCacheBackend cache : DatabaseCacheBackendAutoConfiguration.databaseCaches(this.context)) {
			try {
				if (!cache.tableExists()) {
					cache.createTable();
					logger.info("Cache table '" + cache.table() + "' created.");
				}
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Cache table '" + cache.table() + "' could not be created ("
						+ DatabaseCacheBackendAutoConfiguration.CREATE_TABLES_PROPERTY + "=true): " + ex.getMessage(),
						ex);
			}
		}
	}

}
