package io.cacheframework.core;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Captures the events of one Logback logger while open, e.g. the key warnings on
 * {@code io.cacheframework.core.CacheKeyWarning}. Use in try-with-resources.
 */
public final class LogCapture implements AutoCloseable {

	/**
	 * The logger Django's {@code CacheKeyWarning} maps to.
	 */
	public static final String KEY_WARNING_LOGGER = "io.cacheframework.core.CacheKeyWarning";

	/**
	 * The words every store-failure line of {@code AbstractCacheBackend} contains.
	 */
	public static final String STORE_FAILURE = "failed, continuing without the cache";

	private final Logger logger;

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private LogCapture(String loggerName) {
		this.logger = (Logger) LoggerFactory.getLogger(loggerName);
		this.appender.setName("LogCapture-" + System.identityHashCode(this));
		this.appender.start();
		this.logger.addAppender(this.appender);
	}

	/**
	 * Start capturing a logger.
	 * @param loggerName the logger
	 * @return the capture
	 */
	public static LogCapture of(String loggerName) {
		return new LogCapture(loggerName);
	}

	/**
	 * Start capturing the key-warning logger.
	 * @return the capture
	 */
	public static LogCapture keyWarnings() {
		return of(KEY_WARNING_LOGGER);
	}

	/**
	 * The formatted messages of the WARN (and higher) events captured so far.
	 * @return the messages, oldest first
	 */
	public List<String> warnings() {
		return events().stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	/**
	 * The WARN lines that report a failed store call ({@code "Cache '<alias>' (<backend>) <operation> failed,
	 * continuing without the cache..."}), oldest first.
	 * @return the messages
	 */
	public List<String> storeFailures() {
		return warnings().stream().filter((line) -> line.contains(STORE_FAILURE)).toList();
	}

	/**
	 * All events captured so far.
	 * @return the events
	 */
	public List<ILoggingEvent> events() {
		// AppenderBase.doAppend synchronizes on the appender: copy under the same lock.
		synchronized (this.appender) {
			return List.copyOf(this.appender.list);
		}
	}

	/**
	 * Forget the events captured so far.
	 */
	public void reset() {
		synchronized (this.appender) {
			this.appender.list.clear();
		}
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.appender.stop();
	}

}
