package io.cacheframework.web;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand.
 */
final class MutableClock extends Clock {

	private volatile Instant now;

	MutableClock(long epochSeconds) {
		this.now = Instant.ofEpochSecond(epochSeconds);
	}

	void advanceSeconds(long seconds) {
		this.now = this.now.plusSeconds(seconds);
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}

	@Override
	public Instant instant() {
		return this.now;
	}

}
