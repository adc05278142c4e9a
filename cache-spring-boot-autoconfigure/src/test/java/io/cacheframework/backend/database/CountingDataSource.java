package io.cacheframework.backend.database;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A real data source that records the SQL of every statement prepared on its connections, to count round trips,
 * its {@code getConnection} calls, and the largest {@code byte[]} any result set handed out.
 */
final class CountingDataSource extends DelegatingDataSource {

	final List<String> statements = new CopyOnWriteArrayList<>();

	final AtomicInteger connections = new AtomicInteger();

	final AtomicLong largestBytesRead = new AtomicLong();

	CountingDataSource(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		this.connections.incrementAndGet();
		Connection connection = super.getConnection();
		return proxy(Connection.class, connection, (method, args) -> {
			if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
				this.statements.add(sql);
			}
		});
	}

	/**
	 * A proxy that runs a hook before each call, and wraps the statements and result sets it returns.
	 */
	private <T> T proxy(Class<T> type, T target, BiConsumer<Method, Object[]> before) {
		return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> {
					before.accept(method, args);
					Object result;
					try {
						result = method.invoke(target, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
					if (result instanceof byte[] bytes) {
						this.largestBytesRead.accumulateAndGet(bytes.length, Math::max);
					}
					if (result instanceof ResultSet rows && method.getReturnType() == ResultSet.class) {
						return proxy(ResultSet.class, rows, (m, a) -> {
						});
					}
					if (result instanceof PreparedStatement statement && method.getReturnType() == PreparedStatement.class) {
						return proxy(PreparedStatement.class, statement, (m, a) -> {
						});
					}
					return result;
				}));
	}

	long count(String fragment) {
		return this.statements.stream().filter((sql) -> sql.contains(fragment)).count();
	}

}
