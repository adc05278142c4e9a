package io.cacheframework.backend.database;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.ValueCodec;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The database backend's options refuse values it cannot use, naming the option, when the backend is built.
 */
class DatabaseOptionsTests {

	@Test
	void defaultsAreValid() {
		assertThatNoException().isThrownBy(() -> new DatabaseOptions().validate());
	}

	@Test
	void eachOutOfRangeValueNamesItsOption() {
		Map<String, Consumer<DatabaseOptions>> bad = new LinkedHashMap<>();
		bad.put("query-timeout", (options) -> options.setQueryTimeout(Duration.ZERO));
		bad.put("connect-timeout", (options) -> options.setConnectTimeout(Duration.ofMillis(249)));
		bad.put("pool-size", (options) -> options.setPoolSize(1001));
		bad.put("timeout-threshold", (options) -> options.setTimeoutThreshold(0));
		bad.put("reconnect-delay", (options) -> options.setReconnectDelay(Duration.ZERO));
		bad.put("size-refresh-interval", (options) -> options.setSizeRefreshInterval(Duration.ofSeconds(-1)));
		bad.put("max-value-bytes", (options) -> options.setMaxValueBytes(0));
		bad.put("cull-check-interval", (options) -> options.setCullCheckInterval(-1));
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:options-tests");
		bad.forEach((option, change) -> {
			DatabaseOptions options = new DatabaseOptions();
			change.accept(options);
			assertThatExceptionOfType(InvalidCacheOptionException.class).isThrownBy(options::validate)
				.satisfies((ex) -> assertThat(ex.option()).isEqualTo(option));
			// The backend checks them before it opens anything.
			assertThatExceptionOfType(InvalidCacheOptionException.class)
				.isThrownBy(() -> new DatabaseCacheBackend(CacheSettings.builder("default").location("t").build(),
						dataSource, dataSource, new ValueCodec(new DefaultValueSerializer()), options))
				.satisfies((ex) -> assertThat(ex.option()).isEqualTo(option));
		});
	}

	@Test
	void queryTimeoutIsWholeSecondsRoundedUp() {
		assertThat(new DatabaseOptions().queryTimeout(Duration.ofMillis(1)).queryTimeoutSeconds()).isEqualTo(1);
		assertThat(new DatabaseOptions().queryTimeout(Duration.ofMillis(1500)).queryTimeoutSeconds()).isEqualTo(2);
		assertThat(new DatabaseOptions().queryTimeoutSeconds()).isEqualTo(2);
	}

}
