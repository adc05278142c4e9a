package io.cacheframework.autoconfigure;

import java.util.Arrays;

import javax.sql.DataSource;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.backend.database.DatabaseOptions;
import io.cacheframework.core.Caches;
import io.cacheframework.serializer.ValueCodec;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code database} backend (Django's {@code DatabaseCache}) and the {@code createcachetable} command.
 *
 * <pre class="code">
 * app:
 *   caches:
 *     default:
 *       backend: database
 *       location: my_cache_table
 *       options:
 *         datasource: cachePrimary        # default: the primary DataSource
 *         read-datasource: cacheReplica   # default: the same
 *         query-timeout: 2s               # each statement
 *         connect-timeout: 1s             # the longest wait for a connection
 *         pool-size: 4                    # the cache's own pool, from a Hikari DataSource; 0 = none
 * </pre>
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = CacheFrameworkAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(JdbcTemplate.class)
public final class DatabaseCacheBackendAutoConfiguration {

	/**
	 * The property that creates missing cache tables at startup.
	 */
	public static final String CREATE_TABLES_PROPERTY = CacheFrameworkProperties.PREFIX
			+ ".cache-database.create-tables";

	@Bean
	CacheBackendFactory databaseCacheBackendFactory() {
		return CacheBackendFactory.of("database", DatabaseCacheBackendAutoConfiguration::createBackend);
	}

	@Bean
	CreateCacheTableCommand createCacheTableCommand(ApplicationContext context,
			ObjectProvider<CreateCacheTableCommand.ExitHook> exitHook) {
		return new CreateCacheTableCommand(context, exitHook.getIfAvailable(() -> System::exit));
	}

	@Bean
	static CacheTablesAtStartup cacheTablesAtStartup(Environment environment, ApplicationContext context,
			ObjectProvider<ApplicationArguments> arguments) {
		return new CacheTablesAtStartup(environment.getProperty(CREATE_TABLES_PROPERTY, Boolean.class, false), context,
				arguments);
	}

	static DatabaseCacheBackend createBackend(CacheBackendContext context) {
		DatabaseOptions options = context.bindOptions(DatabaseOptions.class);
		String location = context.propertyPrefix() + ".location";
		String table = context.settings().location();
		if (table.isBlank()) {
			throw new InvalidCacheConfigurationException(location,
					"the database backend needs the cache table's name as its location, e.g. my_cache_table");
		}
		if (!DatabaseCacheBackend.isValidTableName(table)) {
			throw new InvalidCacheConfigurationException(location, "'" + table
					+ "' is not a valid table name: use letters, digits, '_' and '$', optionally 'schema.table'");
		}
		DataSource write = dataSource(context, options.getDatasource(), "datasource");
		DataSource read = (options.getReadDatasource() != null)
				? dataSource(context, options.getReadDatasource(), "read-datasource") : write;
		return new DatabaseCacheBackend(context.settings(), write, read, new ValueCodec(context.serializer()),
				options);
	}

	/**
	 * The DataSource bean an option names (the primary one when it names none), or an error naming the option.
	 */
	private static DataSource dataSource(CacheBackendContext context, @Nullable String name, String option) {
		BeanFactory beanFactory = context.beanFactory();
		String property = context.optionProperty(option);
		if (name == null || name.isBlank()) {
			try {
				return beanFactory.getBean(DataSource.class);
			}
			catch (NoUniqueBeanDefinitionException ex) {
				throw new InvalidCacheConfigurationException(property, "there are several DataSource beans and none"
						+ " is primary: name the one that holds the cache table here (DataSource beans: "
						+ dataSourceNames(beanFactory) + ")", ex);
			}
			catch (NoSuchBeanDefinitionException ex) {
				throw new InvalidCacheConfigurationException(property,
						"the database backend needs a DataSource: configure spring.datasource.* or name a DataSource"
								+ " bean here (" + ex.getMessage() + ")",
						ex);
			}
		}
		try {
			return beanFactory.getBean(name.trim(), DataSource.class);
		}
		catch (BeanNotOfRequiredTypeException ex) {
			throw new InvalidCacheConfigurationException(property, "bean '" + name + "' is a "
					+ ex.getActualType().getName() + ", not a DataSource (DataSource beans: "
					+ dataSourceNames(beanFactory) + ")", ex);
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new InvalidCacheConfigurationException(property,
					"no DataSource bean named '" + name + "' (DataSource beans: " + dataSourceNames(beanFactory) + ")",
					ex);
		}
	}

	private static String dataSourceNames(BeanFactory beanFactory) {
		return (beanFactory instanceof ListableBeanFactory listable)
				? Arrays.toString(listable.getBeanNamesForType(DataSource.class)) : "?";
	}

	/**
	 * Every database cache of the application (forces the caches to be built).
	 */
	static java.util.List<DatabaseCacheBackend> databaseCaches(ApplicationContext context) {
		Caches caches = context.getBean(Caches.class);
		return caches.aliases()
			.stream()
			.map(caches::get)
			.filter(DatabaseCacheBackend.class::isInstance)
			.map(DatabaseCacheBackend.class::cast)
			.toList();
	}

}
