package io.cacheframework.backend.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * Where one command goes: the commands of a connection (a server's, or a cluster connection that routes by key),
 * and the server whose breaker and log account for the answer.
 *
 * @param server the server that answers
 * @param commands the commands, or {@code null} while no connection was ever made
 * @param connection the connection, or {@code null} while none was ever made
 */
record Target(Server server, @Nullable RedisClusterAsyncCommands<byte[], byte[]> commands,
		@Nullable StatefulConnection<byte[], byte[]> connection) {

	/**
	 * Whether the connection is up now (Lettuce rejects commands while it reconnects).
	 * @return whether a command can be sent
	 */
	boolean isConnected() {
		StatefulConnection<byte[], byte[]> connection = this.connection;
		return this.commands != null && connection != null && connection.isOpen();
	}

}
