package io.cacheframework.backend.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import io.cacheframework.serializer.DefaultValueSerializer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared contract through a primary and its replica ({@code redis-server --replicaof}), configured as Django
 * configures them: {@code location: redis://primary/db,redis://replica/db}, every write to the primary, every read
 * from the replica.
 *
 * <p>Redis replicates asynchronously, and the contract reads its own writes at once; so that it holds as it would on
 * a synchronous replica, each write through the backend here waits (in the test's subclass, never in the backend)
 * until the replica has applied the primary's replication stream up to that write. The reads themselves are the
 * backend's: {@link #readsGoToTheReplicaAndWritesToThePrimary()} shows where they go.
 */
class RedisReplicaCacheBackendTests extends AbstractCacheBackendTests {

	private static final AtomicInteger databases = new AtomicInteger();

	private static final Pattern OFFSET = Pattern.compile("(?:master_repl_offset|slave_repl_offset):(\\d+)");

	private static RedisServer primary;

	private static RedisServer replica;

	@BeforeAll
	static void startServers() {
		primary = RedisServer.start();
		replica = RedisServer.startReplicaOf(primary);
	}

	@AfterAll
	static void stopServers() {
		replica.close();
		primary.close();
	}

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new ReplicaSynced(settings);
	}

	@Override
	protected String newLocation() {
		int db = databases.getAndIncrement() % 16;
		return primary.location(db) + "," + replica.location(db);
	}

	@Override
	protected boolean clockIsSimulated() {
		return false;
	}

	@Override
	protected boolean supportsCulling() {
		return false;
	}

	@Test
	void readsGoToTheReplicaAndWritesToThePrimary() {
		long primaryHits = stat(primary, "keyspace_hits");
		long replicaHits = stat(replica, "keyspace_hits");
		long primaryWrites = stat(primary, "total_commands_processed");
		this.cache.set("where", "here");
		for (int i = 0; i < 20; i++) {
			assertThat(this.cache.get("where")).isEqualTo("here");
		}
		assertThat(this.cache.getMany(List.of("where"))).isEqualTo(Map.of("where", "here"));
		assertThat(this.cache.hasKey("where")).isTrue();
		assertThat(stat(replica, "keyspace_hits") - replicaHits).isGreaterThanOrEqualTo(22);
		assertThat(stat(primary, "keyspace_hits") - primaryHits).isZero();
		assertThat(stat(primary, "total_commands_processed") - primaryWrites).isPositive();
		// This test's database on the replica (not database 0, which the shared raw connection reads).
		RedisClient client = RedisClient.create(location().split(",")[1]);
		try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			assertThat(connection.sync().get(":1:where".getBytes())).isNotNull();
		}
		finally {
			client.shutdown();
		}
	}

	private static long stat(RedisServer server, String name) {
		Matcher matcher = Pattern.compile(name + ":(\\d+)").matcher(server.info("stats"));
		assertThat(matcher.find()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	/**
	 * Waits after each write until the replica has applied the primary's replication stream that far.
	 */
	static void awaitReplica() {
		long target = offset(primary);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (offset(replica) < target) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("replica did not catch up with offset " + target);
			}
			Thread.onSpinWait();
		}
	}

	private static long offset(RedisServer server) {
		Matcher matcher = OFFSET.matcher(server.info("replication"));
		long offset = -1;
		while (matcher.find()) {
			offset = Math.max(offset, Long.parseLong(matcher.group(1)));
		}
		return offset;
	}

	/**
	 * The backend, with every write followed by {@link #awaitReplica()}.
	 */
	static final class ReplicaSynced extends RedisCacheBackend {

		ReplicaSynced(CacheSettings settings) {
			super(settings, RedisCacheBackendTests.options(), new DefaultValueSerializer());
		}

		@Override
		protected void doSet(String key, @Nullable Object value, Timeout timeout) {
			try {
				super.doSet(key, value, timeout);
			}
			finally {
				awaitReplica();
			}
		}

		@Override
		protected boolean doAdd(String key, @Nullable Object value, Timeout timeout) {
			boolean added = super.doAdd(key, value, timeout);
			awaitReplica();
			return added;
		}

		@Override
		protected boolean doTouch(String key, Timeout timeout) {
			boolean touched = super.doTouch(key, timeout);
			awaitReplica();
			return touched;
		}

		@Override
		protected boolean doDelete(String key) {
			boolean deleted = super.doDelete(key);
			awaitReplica();
			return deleted;
		}

		@Override
		protected List<String> doSetMany(Map<String, @Nullable Object> values, Timeout timeout) {
			List<String> failed = super.doSetMany(values, timeout);
			awaitReplica();
			return failed;
		}

		@Override
		protected void doDeleteMany(List<String> keys) {
			super.doDeleteMany(keys);
			awaitReplica();
		}

		@Override
		protected long doIncr(String key, String rawKey, long delta) {
			try {
				return super.doIncr(key, rawKey, delta);
			}
			finally {
				awaitReplica();
			}
		}

		@Override
		protected void doClear() {
			super.doClear();
			awaitReplica();
		}

	}

}
