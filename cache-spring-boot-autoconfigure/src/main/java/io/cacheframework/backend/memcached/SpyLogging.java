package io.cacheframework.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;

import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.FailureMode;
import net.spy.memcached.HashAlgorithm;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.OperationFactory;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.compat.log.AbstractLogger;
import net.spy.memcached.compat.log.Level;
import net.spy.memcached.compat.log.SLF4JLogger;
import net.spy.memcached.metrics.MetricCollector;
import net.spy.memcached.metrics.MetricType;
import net.spy.memcached.ops.Operation;
import net.spy.memcached.transcoders.Transcoder;

/**
 * spymemcached's logging for our clients: through SLF4J (it logs to stderr otherwise), and without its reconnect
 * chatter. Left alone, spymemcached logs three lines, one with a stack trace, for every reconnect attempt to a server
 * that is down (a stream, every {@code reconnect-delay} for each server for as long as the outage lasts) and a WARN
 * for every operation it discards on reconnecting to a hung server. Our {@link ServerLog} says what matters in one
 * line when a server goes down and one when it is back.
 *
 * <p>So on the threads of our clients (their I/O threads, recognised by their class, and ours while we build or
 * close a client) spymemcached's INFO lines and those WARNs become DEBUG; every other WARN and every ERROR passes
 * through as it is, and other spymemcached clients in the JVM are not touched. spymemcached picks its logger class
 * once, from the system property {@value #LOGGER_PROPERTY}: it is set here only if nobody set it before.
 */
final class SpyLogging {

	static final String LOGGER_PROPERTY = "net.spy.log.LoggerImpl";

	/** spymemcached's WARNs that come with every reconnect attempt or every operation lost to a hung server. */
	private static final String[] CHATTER = { "Closing, and reopening ", " exceeded continuous timeout threshold",
			"Discarding partially completed op" };

	private static final ThreadLocal<Boolean> ours = new ThreadLocal<>();

	private SpyLogging() {
	}

	/**
	 * Route spymemcached's logging through SLF4J with the chatter of our clients turned down, unless the
	 * application chose a spymemcached logger itself, or SLF4J is missing.
	 */
	static void install() {
		if (System.getProperty(LOGGER_PROPERTY) == null && isPresent("org.slf4j.Logger")) {
			System.setProperty(LOGGER_PROPERTY, QuietLogger.class.getName());
		}
	}

	/**
	 * A client whose I/O thread logs quietly, and which sends each key where the placement puts it.
	 * @param factory the client's settings
	 * @param addresses its servers, in the placement's order
	 * @param placement where keys go ({@link PlacementNodeLocator})
	 * @return the client, connecting in the background
	 * @throws IOException if spymemcached cannot open its selector
	 */
	static MemcachedClient newClient(ConnectionFactory factory, List<InetSocketAddress> addresses,
			KeyPlacement placement) throws IOException {
		Boolean before = ours.get();
		ours.set(Boolean.TRUE);
		try {
			return new MemcachedClient(new QuietConnectionFactory(factory, placement), addresses);
		}
		finally {
			if (before == null) {
				ours.remove();
			}
		}
	}

	/**
	 * Shut a client down with its own logging quiet.
	 * @param client the client
	 */
	static void shutdown(MemcachedClient client) {
		Boolean before = ours.get();
		ours.set(Boolean.TRUE);
		try {
			client.shutdown();
		}
		finally {
			if (before == null) {
				ours.remove();
			}
		}
	}

	static boolean isQuiet() {
		return ours.get() != null || Thread.currentThread() instanceof QuietConnection;
	}

	private static boolean isPresent(String className) {
		try {
			Class.forName(className, false, SpyLogging.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * The logger class spymemcached instantiates by name (hence public, with a public {@code String} constructor):
	 * SLF4J, with our clients' chatter at DEBUG. Not an API.
	 */
	public static final class QuietLogger extends AbstractLogger {

		private final SLF4JLogger delegate;

		/**
		 * Create a logger; called by spymemcached's {@code LoggerFactory}.
		 * @param name the logger name (a spymemcached class name)
		 */
		public QuietLogger(String name) {
			super(name);
			this.delegate = new SLF4JLogger(name);
		}

		@Override
		public boolean isDebugEnabled() {
			return this.delegate.isDebugEnabled();
		}

		@Override
		public boolean isInfoEnabled() {
			// Asked before a message is formatted: our clients' INFO lines are logged at DEBUG.
			return isQuiet() ? this.delegate.isDebugEnabled() : this.delegate.isInfoEnabled();
		}

		@Override
		public boolean isTraceEnabled() {
			return this.delegate.isTraceEnabled();
		}

		@Override
		public void log(Level level, Object message, Throwable exception) {
			this.delegate.log(isChatter(level, message) ? Level.DEBUG : level, message, exception);
		}

		private static boolean isChatter(Level level, Object message) {
			if (level == Level.INFO) {
				return isQuiet();
			}
			if (level == Level.WARN && message != null && isQuiet()) {
				String text = message.toString();
				for (String chatter : CHATTER) {
					if (text.contains(chatter)) {
						return true;
					}
				}
			}
			return false;
		}

	}

	/** spymemcached's connection (its I/O thread), of a class that marks the thread as ours. */
	private static final class QuietConnection extends MemcachedConnection {

		QuietConnection(ConnectionFactory factory, List<InetSocketAddress> addresses) throws IOException {
			super(factory.getReadBufSize(), factory, addresses, factory.getInitialObservers(),
					factory.getFailureMode(), factory.getOperationFactory());
		}

	}

	/**
	 * The factory built by {@code ConnectionFactoryBuilder}, except that it creates a {@link QuietConnection}
	 * (what {@code DefaultConnectionFactory.createConnection} does, with our class) over the backend's placement
	 * (the builder offers spymemcached's own locators only).
	 */
	private static final class QuietConnectionFactory implements ConnectionFactory {

		private final ConnectionFactory delegate;

		private final KeyPlacement placement;

		QuietConnectionFactory(ConnectionFactory delegate, KeyPlacement placement) {
			this.delegate = delegate;
			this.placement = placement;
		}

		@Override
		public MemcachedConnection createConnection(List<InetSocketAddress> addresses) throws IOException {
			return new QuietConnection(this, addresses);
		}

		@Override
		public MemcachedNode createMemcachedNode(SocketAddress address, SocketChannel channel, int bufferSize) {
			return this.delegate.createMemcachedNode(address, channel, bufferSize);
		}

		@Override
		public BlockingQueue<Operation> createOperationQueue() {
			return this.delegate.createOperationQueue();
		}

		@Override
		public BlockingQueue<Operation> createReadOperationQueue() {
			return this.delegate.createReadOperationQueue();
		}

		@Override
		public BlockingQueue<Operation> createWriteOperationQueue() {
			return this.delegate.createWriteOperationQueue();
		}

		@Override
		public long getOpQueueMaxBlockTime() {
			return this.delegate.getOpQueueMaxBlockTime();
		}

		@Override
		public ExecutorService getListenerExecutorService() {
			return this.delegate.getListenerExecutorService();
		}

		@Override
		public boolean isDefaultExecutorService() {
			return this.delegate.isDefaultExecutorService();
		}

		@Override
		public NodeLocator createLocator(List<MemcachedNode> nodes) {
			return new PlacementNodeLocator(this.placement, nodes);
		}

		@Override
		public OperationFactory getOperationFactory() {
			return this.delegate.getOperationFactory();
		}

		@Override
		public long getOperationTimeout() {
			return this.delegate.getOperationTimeout();
		}

		@Override
		public boolean isDaemon() {
			return this.delegate.isDaemon();
		}

		@Override
		public boolean useNagleAlgorithm() {
			return this.delegate.useNagleAlgorithm();
		}

		@Override
		public Collection<ConnectionObserver> getInitialObservers() {
			return this.delegate.getInitialObservers();
		}

		@Override
		public FailureMode getFailureMode() {
			return this.delegate.getFailureMode();
		}

		@Override
		public Transcoder<Object> getDefaultTranscoder() {
			return this.delegate.getDefaultTranscoder();
		}

		@Override
		public boolean shouldOptimize() {
			return this.delegate.shouldOptimize();
		}

		@Override
		public int getReadBufSize() {
			return this.delegate.getReadBufSize();
		}

		@Override
		public HashAlgorithm getHashAlg() {
			return this.delegate.getHashAlg();
		}

		@Override
		public long getMaxReconnectDelay() {
			return this.delegate.getMaxReconnectDelay();
		}

		@Override
		public AuthDescriptor getAuthDescriptor() {
			return this.delegate.getAuthDescriptor();
		}

		@Override
		public int getTimeoutExceptionThreshold() {
			return this.delegate.getTimeoutExceptionThreshold();
		}

		@Override
		public MetricType enableMetrics() {
			return this.delegate.enableMetrics();
		}

		@Override
		public MetricCollector getMetricCollector() {
			return this.delegate.getMetricCollector();
		}

		@Override
		public long getAuthWaitTime() {
			return this.delegate.getAuthWaitTime();
		}

	}

}
