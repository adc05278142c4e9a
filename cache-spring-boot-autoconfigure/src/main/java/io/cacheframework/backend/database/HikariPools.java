package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

/**
 * What the database backend does with HikariCP: build the cache's own small pool from the application's
 * {@link HikariDataSource} (same database, same credentials and settings, its own connections), and evict a
 * connection. Only loaded when HikariCP is on the classpath.
 */
final class HikariPools {

	/** H2's private in-memory database: a second pool would open a different, empty database. */
	private static final Pattern PRIVATE_H2 = Pattern.compile("(?i)jdbc:h2:mem:(;.*)?");

	/** Hikari's floor for its timeouts. */
	static final long MIN_TIMEOUT_MILLIS = 250;

	private HikariPools() {
	}

	/**
	 * The application's Hikari pool behind a data source (unwrapping proxies), or {@code null}.
	 */
	static @Nullable HikariDataSource hikari(DataSource dataSource) {
		if (dataSource instanceof HikariDataSource hikari) {
			return hikari;
		}
		try {
			return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * A pool of its own for the cache, with the application pool's connection settings, or {@code null} if the
	 * data source is not a Hikari pool whose connections can be opened again (or is H2's private in-memory
	 * database). It opens no connection now: the database may be down while the application starts.
	 * @param dataSource the application's data source
	 * @param poolName the new pool's name
	 * @param size its maximum size
	 * @param connectMillis the longest wait for a connection (Hikari's {@code connectionTimeout}), also the
	 * driver's connect and login timeouts where the URL does not set them
	 */
	static @Nullable HikariDataSource create(DataSource dataSource, String poolName, int size, long connectMillis) {
		HikariDataSource application = hikari(dataSource);
		if (application == null) {
			return null;
		}
		HikariConfig config = new HikariConfig();
		Properties properties = new Properties();
		properties.putAll(application.getDataSourceProperties());
		if (application.getDataSource() != null) {
			// The unpooled DataSource the application's pool draws from: our own connections from the same place.
			config.setDataSource(application.getDataSource());
		}
		else if (application.getJdbcUrl() != null) {
			String url = application.getJdbcUrl();
			if (PRIVATE_H2.matcher(url).matches()) {
				return null;
			}
			config.setJdbcUrl(url);
			if (application.getDriverClassName() != null) {
				config.setDriverClassName(application.getDriverClassName());
			}
			addDriverTimeouts(url, properties, connectMillis);
		}
		else if (application.getDataSourceClassName() != null) {
			config.setDataSourceClassName(application.getDataSourceClassName());
		}
		else if (application.getDataSourceJNDI() != null) {
			config.setDataSourceJNDI(application.getDataSourceJNDI());
		}
		else {
			return null;
		}
		config.setDataSourceProperties(properties);
		config.setUsername(application.getUsername());
		config.setPassword(application.getPassword());
		if (application.getCredentialsProvider() != null) {
			config.setCredentialsProvider(application.getCredentialsProvider());
		}
		config.setCatalog(application.getCatalog());
		config.setSchema(application.getSchema());
		// Whatever the application runs on a new connection (search_path, session settings) the cache needs too.
		config.setConnectionInitSql(application.getConnectionInitSql());
		config.setReadOnly(application.isReadOnly());
		config.setPoolName(poolName);
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(Math.min(1, size));
		config.setAutoCommit(true);
		config.setConnectionTimeout(Math.max(MIN_TIMEOUT_MILLIS, connectMillis));
		// Checking an idle connection counts against the caller's wait: keep it at Hikari's floor.
		config.setValidationTimeout(MIN_TIMEOUT_MILLIS);
		// Never fail or wait at startup: an unreachable database is a miss on each call, not a failed start.
		config.setInitializationFailTimeout(-1);
		config.setRegisterMbeans(false);
		return new HikariDataSource(config);
	}

	/**
	 * Driver settings that bound connecting and logging in (a hung server accepts the connection and never
	 * answers the login), unless the URL or the application's properties set them.
	 */
	private static void addDriverTimeouts(String url, Properties properties, long connectMillis) {
		String lower = url.toLowerCase(Locale.ROOT);
		String seconds = Long.toString(Math.max(1, (connectMillis + 999) / 1000));
		if (lower.startsWith("jdbc:postgresql:")) {
			putIfAbsent(properties, lower, "connectTimeout", seconds);
			putIfAbsent(properties, lower, "loginTimeout", seconds);
		}
		else if (lower.startsWith("jdbc:mariadb:") || lower.startsWith("jdbc:mysql:")) {
			putIfAbsent(properties, lower, "connectTimeout", Long.toString(connectMillis));
		}
	}

	private static void putIfAbsent(Properties properties, String lowerCaseUrl, String name, String value) {
		if (!lowerCaseUrl.contains(name.toLowerCase(Locale.ROOT)) && !properties.containsKey(name)) {
			properties.setProperty(name, value);
		}
	}

	/**
	 * Remove a connection that must not be handed out again from its Hikari pool.
	 * @return whether it was a Hikari pool's connection
	 */
	static boolean evict(DataSource dataSource, Connection connection) {
		HikariDataSource hikari = hikari(dataSource);
		if (hikari == null) {
			return false;
		}
		hikari.evictConnection(connection);
		return true;
	}

	static void close(DataSource pool) {
		((HikariDataSource) pool).close();
	}

}
