package io.cacheframework.backend.redis;

import io.cacheframework.core.CacheAccessException;

/**
 * The server answered with an error of its own (e.g. {@code OOM}, {@code READONLY}, {@code WRONGTYPE}, or a refusal
 * of the counter script): the server is up, the call failed.
 */
final class ServerReplyException extends CacheAccessException {

	private static final long serialVersionUID = 1L;

	private final String reply;

	ServerReplyException(Server server, String reply, Throwable cause) {
		super(server + " answered: " + reply, cause);
		this.reply = reply;
	}

	/**
	 * The server's error text, e.g. {@code OOM command not allowed when used memory > 'maxmemory'}.
	 * @return the reply
	 */
	String reply() {
		return this.reply;
	}

}
