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
	void readsTheSystemClockUntilReadsAreFrequentThenTicksUntilTheyStop() throws InterruptedException {
		CoarseSystemClock clock = new CoarseSystemClock();
		clock.acquire();
		try {
			// A few reads: each one is the system time.
			for (int i = 0; i < 10; i++) {
				long before = System.currentTimeMillis();
				long read = clock.millis();
				assertThat(read).isBetween(before, System.currentTimeMillis());
				Thread.sleep(2);
			}
			assertThat(clock.isTicking()).isFalse();
			// A burst of reads starts the ticking (in a millisecond with enough of them, however loaded the machine).
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (!clock.isTicking() && System.nanoTime() < deadline) {
				clock.millis();
			}
			assertThat(clock.isTicking()).isTrue();
			// While ticking the time moves on and never runs ahead of the system clock.
			long before = System.currentTimeMillis();
			long read = before;
			while (read <= before && System.nanoTime() < deadline) {
				read = clock.millis();
			}
			assertThat(read).isGreaterThan(before).isLessThanOrEqualTo(System.currentTimeMillis());
			// Without reads the ticking stops, and reads are the system time again.
			while (clock.isTicking() && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(clock.isTicking()).isFalse();
			long idleBefore = System.currentTimeMillis();
			assertThat(clock.millis()).isBetween(idleBefore, System.currentTimeMillis());
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
		// Ticking when the last user leaves: the thread still ends.
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!clock.isTicking() && System.nanoTime() < deadline) {
			clock.millis();
		}
		assertThat(clock.isTicking()).isTrue();
		clock.release();
		assertThat(clock.ticker()).isNull();
		assertThat(clock.isTicking()).isFalse();
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
