package io.cacheframework.backend.redis;

import java.time.Duration;
import java.util.List;

import io.cacheframework.core.InvalidCacheOptionException;
import io.cacheframework.core.Timeout;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Django's LOCATION forms for Redis, the options that fill in what a URL leaves out, and Django's timeouts.
 */
class RedisLocationTests {

	@Test
	void djangosListFormsAndTheFirstIsThePrimary() {
		List<RedisURI> servers = RedisLocation.parse(" redis://10.0.0.1:6379/2 ; redis://10.0.0.2/2,", new RedisOptions());
		assertThat(servers).extracting(RedisLocation::name).containsExactly("10.0.0.1:6379", "10.0.0.2:6379");
		assertThat(servers).extracting(RedisURI::getDatabase).containsExactly(2, 2);
		assertThat(RedisLocation.parse("rediss://h:6380/0", new RedisOptions()).get(0).isSsl()).isTrue();
		RedisURI socket = RedisLocation.parse("unix:///run/redis.sock?db=3", new RedisOptions()).get(0);
		assertThat(socket.getSocket()).isEqualTo("/run/redis.sock");
		assertThat(socket.getDatabase()).isEqualTo(3);
		assertThat(RedisLocation.name(RedisLocation.parse("redis://[::1]:7000", new RedisOptions()).get(0)))
			.isEqualTo("[::1]:7000");
	}

	@Test
	void optionsFillInWhatTheUrlLeavesOutAndTheUrlWins() {
		RedisOptions options = new RedisOptions();
		options.setDb(4);
		options.setPassword("from-options");
		options.setClientName("app");
		RedisURI bare = RedisLocation.parse("redis://h:1", options).get(0);
		assertThat(bare.getDatabase()).isEqualTo(4);
		assertThat(bare.getClientName()).isEqualTo("app");
		assertThat(new String(bare.getCredentialsProvider().resolveCredentials().block().getPassword()))
			.isEqualTo("from-options");
		RedisURI full = RedisLocation.parse("redis://:from-url@h:1/0?clientName=url", options).get(0);
		assertThat(full.getDatabase()).isZero();
		assertThat(full.getClientName()).isEqualTo("url");
		assertThat(new String(full.getCredentialsProvider().resolveCredentials().block().getPassword()))
			.isEqualTo("from-url");
	}

	@Test
	void badLocationsAreRefusedWithoutShowingPasswords() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisLocation.parse(" ; ", new RedisOptions()))
			.withMessageContaining("at least one server");
		assertThatIllegalArgumentException().isThrownBy(() -> RedisLocation.parse("10.0.0.1:6379", new RedisOptions()))
			.withMessageContaining("must start with redis://");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisLocation.parse("redis-sentinel://:s3cret@h:26379", new RedisOptions()))
			.withMessageNotContaining("s3cret");
		assertThat(RedisLocation.redacted("redis://user:s3cret@h:1/0?password=x")).isEqualTo("redis://***@h:1/0?password=***");
	}

	@Test
	void optionsAreValidatedNamingTheOption() {
		RedisOptions options = new RedisOptions();
		options.setOperationTimeout(Duration.ZERO);
		assertThatExceptionOfType(InvalidCacheOptionException.class).isThrownBy(options::validate)
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("operation-timeout"));
		RedisOptions cluster = new RedisOptions();
		cluster.setCluster(true);
		cluster.setDb(1);
		assertThatExceptionOfType(InvalidCacheOptionException.class).isThrownBy(cluster::validate)
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("db"));
	}

	@Test
	void timeoutsAreDjangosGetBackendTimeout() {
		assertThat(RedisCacheBackend.seconds(Timeout.NEVER)).isEqualTo(-1);
		assertThat(RedisCacheBackend.seconds(Timeout.seconds(300))).isEqualTo(300);
		assertThat(RedisCacheBackend.seconds(Timeout.of(Duration.ofMillis(10_900)))).isEqualTo(10);
		assertThat(RedisCacheBackend.seconds(Timeout.of(Duration.ofMillis(900)))).isZero();
		assertThat(RedisCacheBackend.seconds(Timeout.seconds(-5))).isZero();
		// Redis refuses an EX whose milliseconds overflow: a huge timeout is capped, still positive.
		assertThat(RedisCacheBackend.seconds(Timeout.of(Duration.ofSeconds(Long.MAX_VALUE / 2)))).isPositive()
			.isLessThan(Long.MAX_VALUE / 1000 - System.currentTimeMillis());
		assertThat(RedisCacheBackend.glob("a*b?[c]\\")).isEqualTo("a\\*b\\?\\[c\\]\\\\");
	}

}
