package io.cacheframework.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests move forward by hand, so expiry can be tested without sleeping. Thread-safe; every
 * backend built with it sees the same time.
 */
public final class MutableClock extends Clock {

	private final AtomicReference<Instant> now;

	private final ZoneId zone;

	/**
	 * A clock that starts at the current real time: backends that hand absolute times to a server (memcached's
	 * 30-day rule, database rows) still see a plausible "now".
	 */
	public MutableClock() {
		this(Instant.now(), ZoneOffset.UTC);
	}

	/**
	 * A clock that starts at {@code start}.
	 * @param start the initial instant
	 */
	public MutableClock(Instant start) {
		this(start, ZoneOffset.UTC);
	}

	private MutableClock(Instant start, ZoneId zone) {
		this(new AtomicReference<>(Objects.requireNonNull(start, "start must not be null")), zone);
	}

	private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
		this.now = now;
		this.zone = zone;
	}

	/**
	 * Move the clock forward (or back, with a negative duration).
	 * @param duration how far
	 */
	public void advance(Duration duration) {
		this.now.updateAndGet((instant) -> instant.plus(duration));
	}

	/**
	 * Set the clock.
	 * @param instant the new time
	 */
	public void setInstant(Instant instant) {
		this.now.set(Objects.requireNonNull(instant, "instant must not be null"));
	}

	@Override
	public ZoneId getZone() {
		return this.zone;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		// Shares the time with this clock, so advancing one advances both.
		return new MutableClock(this.now, zone);
	}

	@Override
	public Instant instant() {
		return this.now.get();
	}

	@Override
	public long millis() {
		return this.now.get().toEpochMilli();
	}

	@Override
	public String toString() {
		return "MutableClock[" + this.now.get() + "]";
	}

}
