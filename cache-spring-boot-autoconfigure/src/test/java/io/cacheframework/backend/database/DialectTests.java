package io.cacheframework.backend.database;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which SQL a product gets, from what its JDBC driver reports.
 */
class DialectTests {

	@Test
	void detectsTheProduct() {
		assertThat(Dialect.of("PostgreSQL", "15.20", "jdbc:postgresql://h/db")).isEqualTo(Dialect.POSTGRESQL);
		assertThat(Dialect.of("MariaDB", "10.11.19-MariaDB", "jdbc:mariadb://h/db")).isEqualTo(Dialect.MARIADB);
		// MySQL's driver on a MariaDB server.
		assertThat(Dialect.of("MySQL", "5.5.5-10.11.19-MariaDB", "jdbc:mysql://h/db")).isEqualTo(Dialect.MARIADB);
		assertThat(Dialect.of("MySQL", "8.4.0", "jdbc:mysql://h/db")).isEqualTo(Dialect.MYSQL);
		assertThat(Dialect.of("H2", "2.4.240", "jdbc:h2:mem:x")).isEqualTo(Dialect.H2);
		assertThatIllegalArgumentException().isThrownBy(() -> Dialect.of("Oracle", "23", "jdbc:oracle:thin:@h"))
			.withMessageContaining("PostgreSQL, MariaDB, MySQL and H2");
	}

	@Test
	void mysqlUsesItsOwnBinaryNoPadCollation() {
		assertThat(String.join("\n", Dialect.MYSQL.createTable("`t`", "`t_expires`"))).contains("utf8mb4_0900_bin")
			.doesNotContain("nopad");
		assertThat(String.join("\n", Dialect.MARIADB.createTable("`t`", "`t_expires`")))
			.contains("utf8mb4_nopad_bin");
	}

	@Test
	void quotesSchemaQualifiedNames() {
		assertThat(Dialect.POSTGRESQL.quote("cache.my_table")).isEqualTo("\"cache\".\"my_table\"");
		assertThat(Dialect.MARIADB.quote("my_table")).isEqualTo("`my_table`");
	}

}
