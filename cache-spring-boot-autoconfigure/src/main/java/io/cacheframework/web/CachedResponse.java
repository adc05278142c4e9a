package io.cacheframework.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A page as the page cache stores it: status, headers in order, content type and body.
 *
 * <p>The page cache stores it as {@link #toBytes() bytes} in its own small format, not through Java
 * serialization: a {@code byte[]} is stored natively by every backend (the local-memory cache copies it cheaply,
 * memcached and the database keep it as is), and reading a page back never runs {@code ObjectInputStream} on data
 * that others can write. It is also {@link Serializable} (only JDK and {@code io.cacheframework} types, which the
 * default allow-list accepts) for applications that store it themselves.
 *
 * @since 0.1.0
 */
public final class CachedResponse implements Serializable {

	@Serial
	private static final long serialVersionUID = 1L;

	private static final int MAGIC = 0x444a5043;

	private static final byte FORMAT = 1;

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
		this(status, checked(headers), contentType, body, contentLength, true);
	}

	private static List<String> checked(List<String> headers) {
		if (headers.size() % 2 != 0) {
			throw new IllegalArgumentException("headers must alternate names and values");
		}
		return headers;
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

	/**
	 * Encode the page: magic, format version, status, content type, declared length, headers, body.
	 * @return the bytes
	 */
	public byte[] toBytes() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(this.body.length + 256);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeInt(MAGIC);
			out.writeByte(FORMAT);
			out.writeShort(this.status);
			out.writeBoolean(this.contentType != null);
			if (this.contentType != null) {
				out.writeUTF(this.contentType);
			}
			out.writeLong(this.contentLength);
			out.writeInt(this.headers.size());
			for (String item : this.headers) {
				out.writeUTF(item);
			}
			out.writeInt(this.body.length);
			out.write(this.body);
		}
		catch (IOException ex) {
			// Only writeUTF's 64 KB limit per header can fail here.
			throw new IllegalArgumentException("A header of this page is too long to cache", ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decode {@link #toBytes()}.
	 * @param data the bytes
	 * @return the page, or {@code null} if the bytes are not a page of this format (a foreign or corrupt entry)
	 */
	public static @Nullable CachedResponse fromBytes(byte[] data) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
			if (in.readInt() != MAGIC || in.readByte() != FORMAT) {
				return null;
			}
			int status = in.readShort();
			String contentType = in.readBoolean() ? in.readUTF() : null;
			long contentLength = in.readLong();
			int headerItems = in.readInt();
			if (headerItems < 0 || headerItems % 2 != 0 || headerItems > data.length) {
				return null;
			}
			List<String> headers = new ArrayList<>(headerItems);
			for (int i = 0; i < headerItems; i++) {
				headers.add(in.readUTF());
			}
			int length = in.readInt();
			if (length < 0 || length != in.available()) {
				return null;
			}
			byte[] body = new byte[length];
			in.readFully(body);
			return new CachedResponse(status, headers, contentType, body, contentLength, false);
		}
		catch (IOException ex) {
			return null;
		}
	}

	private CachedResponse(int status, List<String> headers, @Nullable String contentType, byte[] body,
			long contentLength, boolean copy) {
		this.status = status;
		this.headers = new ArrayList<>(headers);
		this.contentType = contentType;
		this.body = copy ? body.clone() : body;
		this.contentLength = contentLength;
	}

	byte[] bodyUnsafe() {
		return this.body;
	}

}
