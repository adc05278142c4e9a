package io.cacheframework.backend.database;

/**
 * The shared contract (Django's BaseCacheTests) for the database backend on PostgreSql.
 */
class DatabaseCacheBackendPostgreSqlContractTests extends AbstractDatabaseContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.POSTGRESQL;
	}

}
