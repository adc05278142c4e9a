package io.cacheframework.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link Timeout} and how a backend turns one into an absolute expiry (CONFORMANCE items 19 and 23).
 */
class TimeoutTests {

	private static final Instant NOW = Instant.ofEpochSecond(1468749600);

	@Test
	void kinds() {
		assertThat(Timeout.DEFAULT.isDefault()).isTrue();
		assertThat(Timeout.DEFAULT.isNever()).isFalse();
		assertThat(Timeout.DEFAULT.isExpired()).isFalse();
		assertThat(Timeout.NEVER.isNever()).isTrue();
		assertThat(Timeout.NEVER.isDefault()).isFalse();
		assertThat(Timeout.NEVER.isExpired()).isFalse();
		assertThat(Timeout.seconds(60).isDefault()).isFalse();
		assertThat(Timeout.seconds(60).isNever()).isFalse();
	}

	@Test
	void zeroAndNegativeExpireAtOnce() {
		assertThat(Timeout.seconds(0).isExpired()).isTrue();
		assertThat(Timeout.of(Duration.ZERO).isExpired()).isTrue();
		assertThat(Timeout.seconds(-5).isExpired()).isTrue();
		assertThat(Timeout.of(Duration.ofMillis(-1)).isExpired()).isTrue();
		assertThat(Timeout.seconds(1).isExpired()).isFalse();
		assertThat(Timeout.of(Duration.ofMillis(1)).isExpired()).isFalse();
	}

	@Test
	void durations() {
		assertThat(Timeout.seconds(300).toDuration()).isEqualTo(Duration.ofMinutes(5));
		assertThat(Timeout.of(Duration.ofMillis(100_200)).toDuration()).isEqualTo(Duration.ofMillis(100_200));
		assertThatIllegalStateException().isThrownBy(Timeout.DEFAULT::toDuration);
		assertThatIllegalStateException().isThrownBy(Timeout.NEVER::toDuration);
	}

	@Test
	void orDefault() {
		Timeout fiveMinutes = Timeout.seconds(300);
		assertThat(Timeout.DEFAULT.orDefault(fiveMinutes)).isSameAs(fiveMinutes);
		assertThat(Timeout.DEFAULT.orDefault(Timeout.NEVER)).isSameAs(Timeout.NEVER);
		assertThat(Timeout.NEVER.orDefault(fiveMinutes)).isSameAs(Timeout.NEVER);
		assertThat(Timeout.seconds(0).orDefault(fiveMinutes)).isEqualTo(Timeout.seconds(0));
	}

	@Test
	void equality() {
		assertThat(Timeout.seconds(60)).isEqualTo(Timeout.of(Duration.ofSeconds(60)))
			.hasSameHashCodeAs(Timeout.of(Duration.ofMinutes(1)));
		assertThat(Timeout.seconds(0)).isEqualTo(Timeout.of(Duration.ZERO));
		assertThat(Timeout.seconds(60)).isNotEqualTo(Timeout.seconds(61));
		assertThat(Timeout.NEVER).isNotEqualTo(Timeout.DEFAULT);
		assertThat(Timeout.seconds(1)).hasToString("Timeout[PT1S]");
		assertThat(Timeout.NEVER).hasToString("Timeout.NEVER");
		assertThat(Timeout.DEFAULT).hasToString("Timeout.DEFAULT");
	}

	@Test
	void settingsRefuseDefaultAsTheDefault() {
		assertThatIllegalArgumentException().isThrownBy(() -> CacheSettings.builder("default").timeout(Timeout.DEFAULT));
		assertThat(CacheSettings.builder("default").timeout(Timeout.NEVER).build().timeout()).isSameAs(Timeout.NEVER);
	}

	@Test
	void settingsDefaultsAreDjangos() {
		CacheSettings settings = CacheSettings.builder("default").build();
		assertThat(settings.timeout()).isEqualTo(Timeout.seconds(300));
		assertThat(settings.location()).isEmpty();
		assertThat(settings.keyPrefix()).isEmpty();
		assertThat(settings.version()).isEqualTo(1);
		assertThat(settings.maxEntries()).isEqualTo(300);
		assertThat(settings.cullFrequency()).isEqualTo(3);
		assertThat(settings.keyFunction().makeKey("k", "p", 2)).isEqualTo("p:2:k");
		CacheSettings copy = settings.toBuilder().option("x", "y").build();
		assertThat(copy.options()).containsEntry("x", "y");
		assertThat(copy.timeout()).isEqualTo(settings.timeout());
	}

	// ---------------------------------------------------------------- absolute expiry (item 19)

	@Test
	void expiryVectors() {
		ExpiryBackend backend = new ExpiryBackend(Clock.fixed(NOW, ZoneOffset.UTC));
		long now = NOW.toEpochMilli();
		assertThat(backend.expiry(Timeout.DEFAULT)).isEqualTo(1468749900_000L);
		assertThat(backend.expiry(Timeout.seconds(0))).isLessThanOrEqualTo(now);
		assertThat(backend.expiry(Timeout.seconds(-5))).isEqualTo(1468749595_000L);
		assertThat(backend.expiry(Timeout.of(Duration.ofMillis(100_200)))).isEqualTo(now + 100_200);
		assertThat(backend.expiry(Timeout.seconds(60 * 60 * 24 * 30 + 1))).isEqualTo(now + 2_592_001_000L);
		assertThat(backend.expiry(Timeout.NEVER)).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void absurdTimeoutsSaturateInsteadOfOverflowing() {
		ExpiryBackend backend = new ExpiryBackend(Clock.fixed(NOW, ZoneOffset.UTC));
		assertThat(backend.expiry(Timeout.seconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
		assertThat(backend.expiry(Timeout.of(Duration.ofMillis(Long.MAX_VALUE - 1)))).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void defaultResolvesToTheConfiguredTimeout() {
		ExpiryBackend never = new ExpiryBackend(
				CacheSettings.builder("never").timeout(Timeout.NEVER).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
		assertThat(never.expiry(Timeout.DEFAULT)).isEqualTo(Long.MAX_VALUE);
	}

	/**
	 * Just enough backend to reach {@link AbstractCacheBackend#expiresAt(Timeout)}.
	 */
	static final class ExpiryBackend extends DummyCacheBackend {

		ExpiryBackend(Clock clock) {
			this(CacheSettings.builder("expiry").clock(clock).build());
		}

		ExpiryBackend(CacheSettings settings) {
			super(settings);
		}

		long expiry(Timeout timeout) {
			return expiresAt(resolve(timeout));
		}

	}

}
