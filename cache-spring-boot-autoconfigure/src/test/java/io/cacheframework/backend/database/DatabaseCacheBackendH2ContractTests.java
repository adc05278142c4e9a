package io.cacheframework.backend.database;

/**
 * The shared contract (Django's BaseCacheTests) for the database backend on H2.
 */
class DatabaseCacheBackendH2ContractTests extends AbstractDatabaseContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.H2;
	}

}
