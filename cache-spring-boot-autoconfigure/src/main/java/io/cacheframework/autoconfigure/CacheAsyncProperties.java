package io.cacheframework.autoconfigure;

import io.cacheframework.core.CacheExecutor;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The executor of the asynchronous API ({@code app.cache-async.*}): the threads on which {@code async()} calls of
 * the database and file-system caches run, since those stores have no asynchronous client. memcached and Redis use
 * their clients' own futures, and locmem and dummy complete in the caller, so they need none of these threads. One
 * executor serves every alias of the application; a call it cannot queue is a miss or a failed write, counted as an
 * error, never an exception.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(CacheAsyncProperties.PREFIX)
public class CacheAsyncProperties {

	static final String PREFIX = "app.cache-async";

	/**
	 * Threads that run the asynchronous calls of the database and filesystem caches, shared by every alias; at least
	 * 1. Each holds one store call at a time, so with the database it should not exceed the connection pool.
	 */
	private int threads = CacheExecutor.DEFAULT_THREADS;

	/**
	 * Asynchronous calls that may wait for a thread; at least 1. A call beyond them is refused at once and reads as
	 * a miss or a failed write (counted as a cache error), so that a slow store cannot pile up unbounded work.
	 */
	private int queueCapacity = CacheExecutor.DEFAULT_QUEUE_CAPACITY;

	public int getThreads() {
		return this.threads;
	}

	public void setThreads(int threads) {
		this.threads = threads;
	}

	public int getQueueCapacity() {
		return this.queueCapacity;
	}

	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	/**
	 * The executor these settings describe.
	 * @return a new executor
	 * @throws InvalidCacheConfigurationException naming the property that is out of range
	 */
	CacheExecutor createExecutor() {
		if (this.threads < 1) {
			throw new InvalidCacheConfigurationException(PREFIX + ".threads",
					"must be at least 1, was " + this.threads);
		}
		if (this.queueCapacity < 1) {
			throw new InvalidCacheConfigurationException(PREFIX + ".queue-capacity",
					"must be at least 1, was " + this.queueCapacity);
		}
		return new CacheExecutor(this.threads, this.queueCapacity);
	}

}
