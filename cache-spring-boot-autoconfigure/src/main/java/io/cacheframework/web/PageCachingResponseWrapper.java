package io.cacheframework.web;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.util.Locale;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.jspecify.annotations.Nullable;
import org.springframework.util.FastByteArrayOutputStream;

/**
 * Buffers a response body so the page cache can read it and still change headers after the handler ran (Django's
 * middleware sees the whole response before it is sent).
 *
 * <p>It starts <em>idle</em>: a plain pass-through that behaves as if it were not there, so a request that cannot
 * be cached is never held in memory. The interceptors {@link #arm() arm} it before the handler runs, and only when
 * the page may be stored (a cache miss) or a header annotation must still change the headers afterwards; arming
 * fails once anything was written or a stream was handed out, and the page is then not stored.
 *
 * <p>The buffer is bounded: past {@code maxBodySize} bytes, and as soon as the response goes asynchronous
 * (streaming, server-sent events) or sends an error or redirect, the wrapper writes what it holds and passes
 * everything else straight through; such a response is never stored.
 */
final class PageCachingResponseWrapper extends HttpServletResponseWrapper {

	private final FastByteArrayOutputStream buffer = new FastByteArrayOutputStream(1024);

	private final long maxBodySize;

	private final BufferingOutputStream outputStream = new BufferingOutputStream();

	private @Nullable PrintWriter writer;

	private boolean passThrough;

	private boolean storable = true;

	private long declaredLength = -1;

	private final boolean head;

	private boolean armed;

	private boolean handedOut;

	PageCachingResponseWrapper(HttpServletResponse response, long maxBodySize, boolean head) {
		super(response);
		this.maxBodySize = maxBodySize;
		this.head = head;
	}

	/**
	 * Start buffering, before the handler writes anything.
	 * @return {@code false} when it is too late (a body was written, a stream or writer was handed out, the
	 * response is committed): the response then passes through and must not be stored
	 */
	synchronized boolean arm() {
		if (!this.armed) {
			if (this.handedOut || getResponse().isCommitted()) {
				return false;
			}
			this.armed = true;
		}
		return true;
	}

	/**
	 * Whether the body is still complete in the buffer (armed, not too large, not streamed, not an error).
	 */
	synchronized boolean isStorable() {
		return this.armed && this.storable && !this.passThrough;
	}

	synchronized byte[] body() {
		flushWriter();
		return this.buffer.toByteArray();
	}

	long declaredLength() {
		return this.declaredLength;
	}

	/**
	 * Stop buffering: write what is buffered and send the rest directly. The response is no longer storable.
	 */
	synchronized void passThrough() throws IOException {
		if (this.armed && !this.passThrough) {
			this.storable = false;
			copyBodyToResponse(false);
		}
	}

	/**
	 * Send the buffered body (with its length) to the real response; later writes go straight through.
	 */
	synchronized void copyBodyToResponse() throws IOException {
		if (this.armed) {
			copyBodyToResponse(true);
		}
	}

	private void copyBodyToResponse(boolean complete) throws IOException {
		if (this.passThrough) {
			return;
		}
		flushWriter();
		this.passThrough = true;
		HttpServletResponse response = (HttpServletResponse) getResponse();
		int size = this.buffer.size();
		if (!response.isCommitted()) {
			if (complete && size > 0) {
				response.setContentLengthLong(size);
			}
			else if (this.declaredLength >= 0) {
				response.setContentLengthLong(this.declaredLength);
			}
		}
		if (size > 0 && !this.head) {
			// A HEAD response announces the length but has no body (Servlet 6.1 leaves this to the container).
			this.buffer.writeTo(response.getOutputStream());
			this.buffer.reset();
		}
	}

	private void flushWriter() {
		if (this.writer != null && !this.passThrough) {
			this.writer.flush();
		}
	}

	@Override
	public synchronized ServletOutputStream getOutputStream() throws IOException {
		if (!this.armed) {
			this.handedOut = true;
			return super.getOutputStream();
		}
		return this.outputStream;
	}

	@Override
	public synchronized PrintWriter getWriter() throws IOException {
		if (!this.armed) {
			this.handedOut = true;
			return super.getWriter();
		}
		if (this.writer == null) {
			String encoding = getCharacterEncoding();
			Charset charset;
			try {
				charset = (encoding != null) ? Charset.forName(encoding) : Charset.forName("ISO-8859-1");
			}
			catch (RuntimeException ex) {
				throw new UnsupportedEncodingException(encoding);
			}
			this.writer = new PrintWriter(new OutputStreamWriter(this.outputStream, charset));
		}
		return this.writer;
	}

	@Override
	public synchronized void flushBuffer() throws IOException {
		if (!this.armed) {
			super.flushBuffer();
		}
		else if (this.passThrough) {
			if (this.writer != null) {
				this.writer.flush();
			}
			getResponse().flushBuffer();
		}
		// While buffering a flush must not commit: the page cache still adds headers afterwards.
	}

	@Override
	public synchronized boolean isCommitted() {
		return (!this.armed || this.passThrough) && getResponse().isCommitted();
	}

	@Override
	public void setContentLength(int len) {
		setContentLengthLong(len);
	}

	@Override
	public synchronized void setContentLengthLong(long len) {
		this.declaredLength = len;
		if (!this.armed || this.passThrough) {
			super.setContentLengthLong(len);
		}
	}

	@Override
	public void setHeader(String name, @Nullable String value) {
		if (isArmed() && isContentLength(name)) {
			setContentLengthLong((value != null) ? Long.parseLong(value.strip()) : -1);
		}
		else {
			super.setHeader(name, value);
		}
	}

	@Override
	public void addHeader(String name, @Nullable String value) {
		if (isArmed() && isContentLength(name)) {
			setContentLengthLong((value != null) ? Long.parseLong(value.strip()) : -1);
		}
		else {
			super.addHeader(name, value);
		}
	}

	@Override
	public void setIntHeader(String name, int value) {
		if (isArmed() && isContentLength(name)) {
			setContentLengthLong(value);
		}
		else {
			super.setIntHeader(name, value);
		}
	}

	@Override
	public void addIntHeader(String name, int value) {
		if (isArmed() && isContentLength(name)) {
			setContentLengthLong(value);
		}
		else {
			super.addIntHeader(name, value);
		}
	}

	@Override
	public synchronized void sendError(int sc) throws IOException {
		discard();
		super.sendError(sc);
	}

	@Override
	public synchronized void sendError(int sc, @Nullable String msg) throws IOException {
		discard();
		super.sendError(sc, msg);
	}

	@Override
	public synchronized void sendRedirect(String location) throws IOException {
		discard();
		super.sendRedirect(location);
	}

	@Override
	public synchronized void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
		discard();
		super.sendRedirect(location, sc, clearBuffer);
	}

	@Override
	public synchronized void reset() {
		super.reset();
		if (this.armed && !this.passThrough) {
			this.buffer.reset();
			this.declaredLength = -1;
		}
	}

	@Override
	public synchronized void resetBuffer() {
		if (!this.armed || this.passThrough) {
			super.resetBuffer();
		}
		else {
			this.buffer.reset();
		}
	}

	private synchronized boolean isArmed() {
		return this.armed;
	}

	private void discard() {
		if (!this.armed) {
			return;
		}
		this.storable = false;
		this.passThrough = true;
		this.buffer.reset();
	}

	private static boolean isContentLength(String name) {
		return name.toLowerCase(Locale.ROOT).equals("content-length");
	}

	private synchronized void write(byte[] bytes, int off, int len) throws IOException {
		if (this.passThrough) {
			if (!this.head) {
				getResponse().getOutputStream().write(bytes, off, len);
			}
			return;
		}
		this.buffer.write(bytes, off, len);
		if (this.maxBodySize >= 0 && this.buffer.size() > this.maxBodySize) {
			// Too large to store: stop holding it in memory.
			this.storable = false;
			copyBodyToResponse(false);
		}
	}

	private final class BufferingOutputStream extends ServletOutputStream {

		@Override
		public void write(int b) throws IOException {
			PageCachingResponseWrapper.this.write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			PageCachingResponseWrapper.this.write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			synchronized (PageCachingResponseWrapper.this) {
				if (PageCachingResponseWrapper.this.passThrough) {
					getResponse().getOutputStream().flush();
				}
			}
		}

		@Override
		public boolean isReady() {
			return true;
		}

		@Override
		public void setWriteListener(WriteListener listener) {
			try {
				getResponse().getOutputStream().setWriteListener(listener);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
