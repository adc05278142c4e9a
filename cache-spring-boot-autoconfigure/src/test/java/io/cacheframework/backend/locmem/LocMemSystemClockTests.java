package io.cacheframework.backend.locmem;

import java.time.Clock;
import java.time.Duration;

import io.cacheframework.core.AbstractCacheBackendTests;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.CacheSettings;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole contract again for {@link LocMemCacheBackend} on the real system clock, which locmem replaces with its
 * millisecond background clock ({@link CoarseSystemClock}): time really passes, as for memcached.
 */
class LocMemSystemClockTests extends AbstractCacheBackendTests {

	@Override
	protected CacheBackend createBackend(CacheSettings settings) {
		return new LocMemCacheBackend(settings);
	}

	@Override
	protected CacheSettings.Builder baseSettings(String alias) {
		return super.baseSettings(alias).clock(Clock.systemUTC());
	}

	@Override
	protected boolean clockIsSimulated() {
		return false;
	}

	@Test
	void anEntryStoredAlreadyExpiredIsNeverServed() {
		// Expiry is computed from the same clock reads use, so a write and a read in one millisecond agree.
		for (int i = 0; i < 1000; i++) {
			this.cache.set("k" + i, i, Timeout.seconds(0));
			this.cache.set("n" + i, i, Timeout.seconds(-1));
			assertThat(this.cache.get("k" + i)).isNull();
			assertThat(this.cache.hasKey("n" + i)).isFalse();
			assertThat(this.cache.add("k" + i, "added")).isTrue();
			assertThat(this.cache.get("k" + i)).isEqualTo("added");
		}
	}

	@Test
	void aSubSecondTimeoutExpiresWithinMilliseconds() throws InterruptedException {
		this.cache.set("short", "value", Timeout.of(Duration.ofMillis(1500)));
		assertThat(this.cache.get("short")).isEqualTo("value");
		Thread.sleep(2000);
		assertThat(this.cache.get("short")).isNull();
	}

}
