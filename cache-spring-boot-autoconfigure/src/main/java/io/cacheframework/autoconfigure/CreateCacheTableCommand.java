package io.cacheframework.autoconfigure;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import io.cacheframework.backend.database.DatabaseCacheBackend;
import io.cacheframework.core.CacheAccessException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * Django's {@code manage.py createcachetable}: start the application with the argument {@code createcachetable}
 * and it creates every missing database-cache table on the cache's write data source, prints what it did, and
 * exits (status 0, or 1 if a table could not be created, naming it). Existing tables are left alone.
 * <ul>
 * <li>{@code --dry-run}: print the SQL that would run, create nothing;</li>
 * <li>{@code --database=<DataSource bean name>}: only the caches whose write data source is that bean.</li>
 * </ul>
 * <pre class="code">
 * java -jar app.jar createcachetable --dry-run
 * </pre>
 * In the command's run the application is not a web application (no server is started), so it can run next to a
 * running instance.
 *
 * @since 0.1.0
 */
public final class CreateCacheTableCommand implements ApplicationRunner, Ordered {

	/**
	 * The argument that runs the command.
	 */
	public static final String COMMAND = "createcachetable";

	private final ApplicationContext context;

	/**
	 * How long the command waits for a database that does not answer before it reports the table as failed.
	 */
	static final Duration CONNECT_WAIT = Duration.ofSeconds(30);

	private final ExitHook exitHook;

	/**
	 * Create the command.
	 * @param context the application context
	 * @param exitHook ends the process with the exit status (tests replace it)
	 */
	public CreateCacheTableCommand(ApplicationContext context, ExitHook exitHook) {
		this.context = context;
		this.exitHook = exitHook;
	}

	@Override
	public int getOrder() {
		// Before the application's own runners: the command replaces the application's normal run.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!args.getNonOptionArgs().contains(COMMAND)) {
			return;
		}
		boolean dryRun = args.containsOption("dry-run");
		List<String> databases = args.getOptionValues("database");
		String database = (databases != null && !databases.isEmpty()) ? databases.get(0) : null;
		int status = execute(dryRun, database, System.out, System.err);
		System.out.flush();
		int exitCode = (this.context instanceof ConfigurableApplicationContext configurable)
				? SpringApplication.exit(configurable, () -> status) : status;
		this.exitHook.exit(exitCode);
	}

	/**
	 * Create the missing tables (or print their SQL).
	 * @param dryRun print the SQL instead of running it
	 * @param database only this DataSource bean's caches, or {@code null} for all
	 * @param out where progress and SQL go
	 * @param err where errors go
	 * @return the exit status: 0 when every table exists or was created
	 */
	public int execute(boolean dryRun, @Nullable String database, PrintStream out, PrintStream err) {
		Map<String, DataSource> dataSources = this.context.getBeansOfType(DataSource.class);
		if (database != null && !dataSources.containsKey(database)) {
			err.println("Unknown --database '" + database + "': the DataSource beans are " + dataSources.keySet()
					+ ".");
			return 2;
		}
		List<DatabaseCacheBackend> caches = DatabaseCacheBackendAutoConfiguration.databaseCaches(this.context);
		if (caches.isEmpty()) {
			out.println("No database caches are configured.");
			return 0;
		}
		Set<String> done = new HashSet<>();
		int status = 0;
		for (DatabaseCacheBackend cache : caches) {
			String dataSourceName = nameOf(cache.writeDataSource(), dataSources);
			if (database != null && !database.equals(dataSourceName)) {
				continue;
			}
			if (!done.add(dataSourceName + "/" + cache.table())) {
				continue;
			}
			try {
				if (tableExists(cache)) {
					out.println("Cache table '" + cache.table() + "' already exists.");
				}
				else if (dryRun) {
					for (String sql : cache.createTableStatements()) {
						out.println(sql + ";");
					}
				}
				else {
					cache.createTable();
					out.println("Cache table '" + cache.table() + "' created.");
				}
			}
			catch (RuntimeException ex) {
				err.println("Cache table '" + cache.table() + "' could not be created.\nThe error was: "
						+ ex.getMessage() + ".");
				status = 1;
			}
		}
		return status;
	}

	/**
	 * Whether the table exists, waiting up to {@link #CONNECT_WAIT} for a database that does not answer yet: the
	 * cache's own bounds (a second or so, right for a request) are too short for a command run by hand or at
	 * deployment against a database that is still starting or a cold JVM's first connection.
	 */
	private static boolean tableExists(DatabaseCacheBackend cache) {
		long deadline = System.nanoTime() + CONNECT_WAIT.toNanos();
		while (true) {
			try {
				return cache.tableExists();
			}
			catch (CacheAccessException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				try {
					Thread.sleep(250);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

	private static String nameOf(DataSource dataSource, Map<String, DataSource> dataSources) {
		for (Map.Entry<String, DataSource> entry : dataSources.entrySet()) {
			DataSource candidate = entry.getValue();
			if (candidate instanceof TransactionAwareDataSourceProxy proxy && proxy.getTargetDataSource() != null) {
				candidate = proxy.getTargetDataSource();
			}
			if (candidate == dataSource) {
				return entry.getKey();
			}
		}
		return "?";
	}

	/**
	 * Ends the process once the command has run; {@code System::exit} unless the application defines a bean of
	 * this type (tests do, to keep their JVM).
	 */
	@FunctionalInterface
	public interface ExitHook {

		/**
		 * End the process.
		 * @param status the exit status
		 */
		void exit(int status);

	}

}
