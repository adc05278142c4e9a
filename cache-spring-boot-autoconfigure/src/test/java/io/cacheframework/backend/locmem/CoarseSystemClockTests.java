package io.cacheframework.backend.locmem;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The background-updated system clock of the locmem read path: what it stands in for, that it keeps time, and that
 * its thread lives only while it has users.
 */
class CoarseSystemClockTests {

	@Test
	void standsInForTheSystemClockInAnyZoneOnly() {
		assertThat(CoarseSystemClock.isSystemClock(Clock.systemUTC())).isTrue();
		assertThat(CoarseSystemClock.isSystemClock(Clock.systemDefaultZone())).isTrue();
		assertThat(CoarseSystemClock.isSystemClock(Clock.system(ZoneId.of("Asia/Tokyo")))).isTrue();
		assertThat(CoarseSystemClock.isSystemClock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))).isFalse();
		assertThat(CoarseSystemClock.isSystemClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))).isFalse();
		assertThat(CoarseSystemClock.isSystemClock(Clock.tick(Clock.systemUTC(), Duration.ofSeconds(1)))).isFalse();
	}

	@Test
	void keepsTheSystemTimeWhileItHasUsers() throws InterruptedException {
		CoarseSystemClock clock = new CoarseSystemClock();
		clock.acquire();
		try {
			long before = System.currentTimeMillis();
			Thread.sleep(50);
			long read = clock.millis();
			long after = System.currentTimeMillis();
			// It moved on while the caller slept, and never runs ahead of the system clock.
			assertThat(read).isGreaterThan(before).isLessThanOrEqualTo(after);
		}
		finally {
			clock.release();
		}
	}

	@Test
	void theLastUserStopsTheThreadAndTheNextStartsOne() throws InterruptedException {
		CoarseSystemClock clock = new CoarseSystemClock();
		assertThat(clock.ticker()).isNull();
		clock.acquire();
		clock.acquire();
		Thread first = clock.ticker();
		assertThat(first).isNotNull();
		assertThat(first.isDaemon()).isTrue();
		assertThat(first.getName()).isEqualTo(CoarseSystemClock.THREAD_NAME);
		clock.release();
		assertThat(clock.ticker()).isSameAs(first);
		assertThat(first.isAlive()).isTrue();
		clock.release();
		assertThat(clock.ticker()).isNull();
		first.join(10_000);
		assertThat(first.isAlive()).isFalse();
		// A release too many is ignored; a new user starts a new thread.
		clock.release();
		clock.acquire();
		Thread second = clock.ticker();
		assertThat(second).isNotNull().isNotSameAs(first);
		assertThat(second.isAlive()).isTrue();
		clock.release();
		second.join(10_000);
		assertThat(second.isAlive()).isFalse();
	}

}
