package io.cacheframework.web;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A page as the page cache stores it: status, headers in order, content type and body. Serializable with only
 * JDK and {@code io.cacheframework} types, so the default serialization allow-list accepts it.
 *
 * @since 0.1.0
 */
public final class CachedResponse implements Serializable {

	@Serial
	private static final long serialVersionUID = 1L;

	private final int status;

	private final ArrayList<String> headers;

	private final @Nullable String contentType;

	private final byte[] body;

	private final long contentLength;

	/**
	 * Create a cached page.
	 * @param status the status code
	 * @param headers header names and values, alternating ({@code name, value, name, value, ...}); repeated names
	 * stay repeated
	 * @param contentType the content type, or {@code null}
	 * @param body the body (copied)
	 * @param contentLength the declared length when the body was not captured (a {@code HEAD} response), else -1
	 */
	public CachedResponse(int status, List<String> headers, @Nullable String contentType, byte[] body,
			long contentLength) {
		if (headers.size() % 2 != 0) {
			throw new IllegalArgumentException("headers must alternate names and values");
		}
		this.status = status;
		this.headers = new ArrayList<>(headers);
		this.contentType = contentType;
		this.body = body.clone();
		this.contentLength = contentLength;
	}

	/**
	 * The status code.
	 * @return the status
	 */
	public int status() {
		return this.status;
	}

	/**
	 * Header names and values, alternating.
	 * @return the headers
	 */
	public List<String> headers() {
		return List.copyOf(this.headers);
	}

	/**
	 * The first value of a header (case-insensitive name).
	 * @param name the header name
	 * @return the value or {@code null}
	 */
	public @Nullable String header(String name) {
		String wanted = name.toLowerCase(Locale.ROOT);
		for (int i = 0; i < this.headers.size(); i += 2) {
			if (this.headers.get(i).toLowerCase(Locale.ROOT).equals(wanted)) {
				return this.headers.get(i + 1);
			}
		}
		return null;
	}

	/**
	 * The content type.
	 * @return the content type or {@code null}
	 */
	public @Nullable String contentType() {
		return this.contentType;
	}

	/**
	 * The body.
	 * @return a copy of the body
	 */
	public byte[] body() {
		return this.body.clone();
	}

	/**
	 * The length to announce: the body's, or the declared one of a body-less {@code HEAD} response.
	 * @return the length, or -1 if unknown
	 */
	public long contentLength() {
		return (this.body.length > 0 || this.contentLength < 0) ? this.body.length : this.contentLength;
	}

	byte[] bodyUnsafe() {
		return this.body;
	}

}
