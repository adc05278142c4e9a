package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The three databases the database backend is tested on. PostgreSQL (127.0.0.1:5432, user postgres, database
 * test) and MariaDB (127.0.0.1:3306, root, database test) are required: when one is unreachable its tests fail,
 * they are never skipped.
 */
enum TestDatabase {

	H2("jdbc:h2:mem:cachetests;DB_CLOSE_DELAY=-1", "sa", ""),

	POSTGRESQL("jdbc:postgresql://127.0.0.1:5432/test", "postgres", ""),

	MARIADB("jdbc:mariadb://127.0.0.1:3306/test", "root", "");

	private static final Map<TestDatabase, HikariDataSource> pools = new ConcurrentHashMap<>();

	private static final AtomicInteger tables = new AtomicInteger();

	private final String url;

	private final String user;

	private final String password;

	TestDatabase(String url, String user, String password) {
		this.url = url;
		this.user = user;
		this.password = password;
	}

	/**
	 * A pooled data source shared by the tests of this JVM (fails loudly, within seconds, when the server is down).
	 */
	DataSource dataSource() {
		return pools.computeIfAbsent(this, (database) -> database.newPool(20));
	}

	HikariDataSource newPool(int size) {
		return newPool(size, this.url);
	}

	/**
	 * A new pool of this database reached through another port on 127.0.0.1 (a proxy), as an application's pool.
	 */
	HikariDataSource newPoolThrough(int size, int port) {
		if (this == H2) {
			throw new IllegalStateException("H2 runs in the JVM, not behind a port");
		}
		return newPool(size, this.url.replace(":" + port() + "/", ":" + port + "/"));
	}

	/**
	 * The server's port on 127.0.0.1.
	 */
	int port() {
		return (this == POSTGRESQL) ? 5432 : 3306;
	}

	/**
	 * A new pool of this database whose connections each run {@code connectionInitSql} first (e.g. a session
	 * time zone).
	 */
	HikariDataSource newPoolWithInitSql(int size, String connectionInitSql) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.url);
		config.setUsername(this.user);
		config.setPassword(this.password);
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(5000);
		config.setPoolName("test-" + name().toLowerCase() + "-init");
		config.setConnectionInitSql(connectionInitSql);
		return new HikariDataSource(config);
	}

	private HikariDataSource newPool(int size, String url) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(this.user);
		config.setPassword(this.password);
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(5000);
		config.setPoolName("test-" + name().toLowerCase());
		if (this == POSTGRESQL) {
			// Tests need no durability; without a flush per commit the 16-thread races run several times faster.
			config.setConnectionInitSql("SET synchronous_commit TO off");
		}
		return new HikariDataSource(config);
	}

	/**
	 * A table name unique to this JVM run (other test classes and other builds share the databases).
	 */
	static String uniqueTable(String prefix) {
		return prefix + "_" + ProcessHandle.current().pid() + "_" + tables.incrementAndGet();
	}

	void dropTable(String table) {
		String quote = (this == MARIADB) ? "`" : "\"";
		execute("DROP TABLE IF EXISTS " + quote + table + quote);
	}

	void execute(String sql) {
		try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(sql + ": " + ex.getMessage(), ex);
		}
	}

}
