package io.cacheframework.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How long an entry is kept: Django's {@code DEFAULT_TIMEOUT}, {@code None}, or a number of seconds.
 *
 * <p>A timeout of zero or less means "expires at once": the write succeeds and nothing can be read back, as in
 * Django.
 *
 * @since 0.1.0
 */
public final class Timeout {

	/**
	 * The cache's configured default timeout.
	 */
	public static final Timeout DEFAULT = new Timeout(Kind.DEFAULT, null);

	/**
	 * Never expires (Django's {@code None}).
	 */
	public static final Timeout NEVER = new Timeout(Kind.NEVER, null);

	private static final Timeout ZERO = new Timeout(Kind.DURATION, Duration.ZERO);

	private final Kind kind;

	private final @Nullable Duration duration;

	private Timeout(Kind kind, @Nullable Duration duration) {
		this.kind = kind;
		this.duration = duration;
	}

	/**
	 * A timeout in seconds.
	 * @param seconds seconds to keep the entry; zero or less expires it at once
	 * @return the timeout
	 */
	public static Timeout seconds(long seconds) {
		return (seconds == 0) ? ZERO : new Timeout(Kind.DURATION, Duration.ofSeconds(seconds));
	}

	/**
	 * A timeout of a duration (sub-second precision is kept).
	 * @param duration how long to keep the entry; zero or negative expires it at once
	 * @return the timeout
	 */
	public static Timeout of(Duration duration) {
		Objects.requireNonNull(duration, "duration must not be null");
		return (duration.isZero()) ? ZERO : new Timeout(Kind.DURATION, duration);
	}

	/**
	 * Whether this is {@link #DEFAULT}.
	 * @return whether this is the default timeout
	 */
	public boolean isDefault() {
		return this.kind == Kind.DEFAULT;
	}

	/**
	 * Whether this is {@link #NEVER}.
	 * @return whether entries never expire
	 */
	public boolean isNever() {
		return this.kind == Kind.NEVER;
	}

	/**
	 * Whether this timeout expires an entry at once (zero or negative).
	 * @return whether nothing stored with it can be read back
	 */
	public boolean isExpired() {
		return this.duration != null && (this.duration.isZero() || this.duration.isNegative());
	}

	/**
	 * The duration of a concrete timeout.
	 * @return the duration
	 * @throws IllegalStateException for {@link #DEFAULT} and {@link #NEVER}
	 */
	public Duration toDuration() {
		if (this.duration == null) {
			throw new IllegalStateException("Timeout " + this + " has no duration");
		}
		return this.duration;
	}

	/**
	 * Resolve {@link #DEFAULT} against a cache's default timeout.
	 * @param defaultTimeout the cache's default (itself never {@link #DEFAULT})
	 * @return this, or {@code defaultTimeout} if this is {@link #DEFAULT}
	 */
	public Timeout orDefault(Timeout defaultTimeout) {
		return (this.kind == Kind.DEFAULT) ? defaultTimeout : this;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof Timeout that) && this.kind == that.kind
				&& Objects.equals(this.duration, that.duration);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.kind, this.duration);
	}

	@Override
	public String toString() {
		return switch (this.kind) {
			case DEFAULT -> "Timeout.DEFAULT";
			case NEVER -> "Timeout.NEVER";
			case DURATION -> "Timeout[" + this.duration + "]";
		};
	}

	private enum Kind {

		DEFAULT, NEVER, DURATION

	}

}
