package io.cacheframework.backend.database;

/**
 * The shared contract (Django's BaseCacheTests) for the database backend on MariaDb.
 */
class DatabaseCacheBackendMariaDbContractTests extends AbstractDatabaseContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.MARIADB;
	}

}
