package io.cacheframework.backend.database;

import io.cacheframework.core.AsyncJoiningCacheBackend;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;

/**
 * The whole contract through the database cache's asynchronous API on H2, whose calls run on the bounded executor
 * (each future joined by the test).
 */
class DatabaseAsyncH2ContractTests extends AbstractDatabaseContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.H2;
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new AsyncJoiningCacheBackend(super.createBackend(settings));
	}

}
