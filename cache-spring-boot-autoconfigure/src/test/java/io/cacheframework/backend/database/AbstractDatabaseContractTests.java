package io.cacheframework.backend.database;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared contract on one database. Each location is a created cache table; tables are emptied and reused
 * between tests (creating ~100 tables per database would dominate the run) and dropped at the end.
 */
abstract class AbstractDatabaseContractTests extends AbstractCacheBackendTests {

	private static final Deque<String> free = new ArrayDeque<>();

	private static final List<String> all = new ArrayList<>();

	private static TestDatabase current;

	private final List<String> used = new ArrayList<>();

	abstract TestDatabase database();

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new DatabaseCacheBackend(settings, database().dataSource(), database().dataSource(),
				new ValueCodec(new DefaultValueSerializer()), new DatabaseOptions().poolSize(0));
	}

	@Override
	protected int expectedZeroCullSurvivors() {
		// Django's database cache culls only above MAX_ENTRIES (strictly), so one more entry goes.
		return 18;
	}

	@Override
	protected String newLocation() {
		synchronized (free) {
			current = database();
			String table = free.poll();
			if (table == null) {
				table = TestDatabase.uniqueTable("contract_" + database().name().toLowerCase());
				new DatabaseCacheBackend(CacheSettings.builder("create").location(table).build(), database().dataSource())
					.createTable();
				all.add(table);
			}
			this.used.add(table);
			return table;
		}
	}

	@AfterEach
	void emptyTables() {
		synchronized (free) {
			for (String table : this.used) {
				database().execute("DELETE FROM " + ((database() == TestDatabase.MARIADB) ? "`" + table + "`"
						: "\"" + table + "\""));
				free.add(table);
			}
			this.used.clear();
		}
	}

	@AfterAll
	static void dropTables() {
		synchronized (free) {
			all.forEach(current::dropTable);
			all.clear();
			free.clear();
		}
	}

}
