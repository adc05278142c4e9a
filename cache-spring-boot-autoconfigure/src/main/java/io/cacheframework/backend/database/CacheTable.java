package io.cacheframework.backend.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

import io.cacheframework.core.CacheAccessException;

/**
 * Django's {@code createcachetable} for one cache: the table's name, whether it exists, and the DDL that creates it
 * and its expiry index on the write data source. The columns are {@link Dialect#createTable}'s.
 */
final class CacheTable {

	private static final Pattern TABLE_NAME = Pattern
		.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}(\\.[A-Za-z_][A-Za-z0-9_$]{0,62})?");

	private final String name;

	private final Jdbc jdbc;

	/**
	 * @param name a valid table name ({@link #isValidName})
	 * @param jdbc the backend's connections
	 */
	CacheTable(String name, Jdbc jdbc) {
		this.name = name;
		this.jdbc = jdbc;
	}

	/**
	 * Whether a name is acceptable as a cache table name: letters, digits, {@code _} and {@code $}, optionally
	 * schema-qualified, at most 63 characters per part. Only such names are ever put into SQL.
	 */
	static boolean isValidName(String name) {
		return TABLE_NAME.matcher(name).matches();
	}

	/**
	 * @throws IllegalArgumentException if the name is not valid
	 */
	static String checkName(String name) {
		if (!isValidName(name)) {
			throw new IllegalArgumentException("Invalid cache table name '" + name
					+ "': use letters, digits, '_' and '$', optionally qualified by a schema ('schema.table')");
		}
		return name;
	}

	String name() {
		return this.name;
	}

	/**
	 * The statements that create the table and its index, without terminating semicolons.
	 */
	List<String> createStatements() {
		Sql sql = this.jdbc.sql();
		return sql.dialect.createTable(sql.table, sql.dialect.quote(indexName()));
	}

	private String indexName() {
		int dot = this.name.lastIndexOf('.');
		// The index lives in the table's schema; only PostgreSQL would reject a qualified index name.
		return ((dot >= 0) ? this.name.substring(dot + 1) : this.name) + "_expires";
	}

	/**
	 * Whether the table answers a probe query on the write data source. Like Django's command this uses the
	 * application's data source directly, not the cache's bounded connections.
	 */
	boolean exists() {
		Sql sql = this.jdbc.sql();
		try (Connection connection = this.jdbc.writeDataSource().getConnection()) {
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(this.jdbc.queryTimeoutSeconds());
				statement.executeQuery(sql.probe()).close();
				return true;
			}
			catch (SQLException ex) {
				if (noAnswer(ex)) {
					// A probe that timed out or lost its connection says nothing about the table.
					throw ex;
				}
				if (!connection.getAutoCommit()) {
					connection.rollback();
				}
				return false;
			}
		}
		catch (SQLException ex) {
			throw new CacheAccessException("Cannot reach the database of cache table '" + this.name + "': "
					+ ex.getMessage(), ex);
		}
	}

	private static boolean noAnswer(SQLException ex) {
		String state = ex.getSQLState();
		return ex instanceof SQLTimeoutException || ex instanceof SQLTransientConnectionException
				|| ex instanceof SQLNonTransientConnectionException || (state != null && state.startsWith("08"));
	}

	/**
	 * Create the table and its index, in one transaction where the database has transactional DDL (PostgreSQL).
	 * @throws CacheAccessException if they cannot be created (for example, the table exists)
	 */
	void create() {
		List<String> statements = createStatements();
		try (Connection connection = this.jdbc.writeDataSource().getConnection()) {
			Jdbc.inTransaction(connection, (transaction) -> {
				try (Statement statement = transaction.createStatement()) {
					for (String sql : statements) {
						statement.execute(sql);
					}
				}
				return null;
			});
		}
		catch (SQLException ex) {
			throw new CacheAccessException(ex.getMessage(), ex);
		}
	}

}
