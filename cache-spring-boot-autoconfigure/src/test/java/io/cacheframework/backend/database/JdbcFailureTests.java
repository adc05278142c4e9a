package io.cacheframework.backend.database;

import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures count towards the circuit breaker ("the database did not answer") and which are the database's
 * (or its driver's) answer about one statement. The exceptions are built as the drivers report them (their
 * messages, SQL states, error codes and causes as logged by MariaDB Connector/J 3.5 and pgjdbc 42.7).
 */
class JdbcFailureTests {

	@Test
	void outagesAndTimeoutsAreNoAnswer() {
		assertThat(Jdbc.isNoAnswer(new SQLTransientConnectionException("Connection is not available", "08001")))
			.isTrue();
		assertThat(Jdbc.isNoAnswer(new SQLNonTransientConnectionException("(conn=1868) Socket error", "08000", -1,
				new SocketException("Connection reset by peer"))))
			.isTrue();
		assertThat(Jdbc.isNoAnswer(new SQLTimeoutException("Query timed out", "70100"))).isTrue();
		assertThat(Jdbc.isNoAnswer(new SQLException("An I/O error occurred while sending to the backend.", "08006")))
			.isTrue();
		assertThat(Jdbc.isNoAnswer(new SQLException("canceling statement due to user request", "57014"))).isTrue();
		assertThat(Jdbc.isNoAnswer(new SQLException("read failed", null, new IOException("Read timed out"))))
			.isTrue();
	}

	@Test
	void aStatementRefusedForItsSizeIsAnAnswer() {
		// MariaDB read the packet up to max_allowed_packet, answered with an error, then closed the connection.
		assertThat(Jdbc.isNoAnswer(new SQLNonTransientConnectionException(
				"(conn=1944) Got a packet bigger than 'max_allowed_packet' bytes", "08S01", 1153)))
			.isFalse();
		// pgjdbc refused to send a Bind message over 1 GB: nothing reached the server.
		assertThat(Jdbc.isNoAnswer(new SQLException("Unable to bind parameter values for statement.", "22023",
				new IOException("Bind message length 1,073,741,849 too long."))))
			.isFalse();
		assertThat(Jdbc.isNoAnswer(new SQLException("Value too long for column", "22001"))).isFalse();
	}

	@Test
	void errorsTheDatabaseAnswersWithAreAnAnswer() {
		assertThat(Jdbc.isNoAnswer(new SQLException("relation \"missing\" does not exist", "42P01"))).isFalse();
		assertThat(Jdbc.isNoAnswer(new SQLException("Duplicate entry", "23000", 1062))).isFalse();
	}

}
