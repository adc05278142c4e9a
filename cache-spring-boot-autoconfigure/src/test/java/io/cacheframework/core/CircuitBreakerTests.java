package io.cacheframework.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.cacheframework.core.CircuitBreaker.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The circuit breaker on a hand-driven clock: N failures in a row open it for a period, calls are refused while it
 * is open, then exactly one trial decides.
 */
class CircuitBreakerTests {

	private final AtomicLong now = new AtomicLong(1_000_000);

	private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(2), this.now::get);

	private void advance(Duration duration) {
		this.now.addAndGet(duration.toNanos());
	}

	@Test
	void opensAfterThresholdFailuresInARowOnly() {
		assertThat(this.breaker.recordFailure()).isFalse();
		assertThat(this.breaker.recordFailure()).isFalse();
		this.breaker.recordSuccess();
		assertThat(this.breaker.consecutiveFailures()).isZero();
		assertThat(this.breaker.recordFailure()).isFalse();
		assertThat(this.breaker.recordFailure()).isFalse();
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.recordFailure()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.breaker.isOpen()).isTrue();
		assertThat(this.breaker.tryAcquire()).isFalse();
		assertThat(this.breaker.retryIn()).isEqualTo(Duration.ofSeconds(2));
		// Late failures of calls started before it opened neither reopen nor report it again.
		assertThat(this.breaker.recordFailure()).isFalse();
	}

	@Test
	void oneTrialAfterTheOpenTimeClosesIt() {
		open();
		advance(Duration.ofMillis(1999));
		assertThat(this.breaker.tryAcquire()).isFalse();
		advance(Duration.ofMillis(1));
		assertThat(this.breaker.isOpen()).isFalse();
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(this.breaker.tryAcquire()).as("a second caller during the trial").isFalse();
		assertThat(this.breaker.isOpen()).isTrue();
		assertThat(this.breaker.recordSuccess()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
		assertThat(this.breaker.consecutiveFailures()).isZero();
		assertThat(this.breaker.tryAcquire()).isTrue();
	}

	@Test
	void aFailedTrialOpensItForAnotherPeriod() {
		open();
		advance(Duration.ofSeconds(2));
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.recordFailure()).as("reopened, not newly opened").isFalse();
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.breaker.openFor()).isEqualTo(Duration.ofSeconds(2));
		advance(Duration.ofMillis(1500));
		assertThat(this.breaker.tryAcquire()).isFalse();
		advance(Duration.ofMillis(500));
		assertThat(this.breaker.tryAcquire()).isTrue();
	}

	@Test
	void aTripOpensItAtOnceAndATrialStillDecides() {
		assertThat(this.breaker.trip()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.breaker.tryAcquire()).isFalse();
		assertThat(this.breaker.trip()).as("already open").isFalse();
		advance(Duration.ofSeconds(2));
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.trip()).as("a refused trial").isFalse();
		assertThat(this.breaker.tryAcquire()).isFalse();
		advance(Duration.ofSeconds(2));
		assertThat(this.breaker.tryAcquire()).isTrue();
		assertThat(this.breaker.recordSuccess()).isTrue();
		assertThat(this.breaker.state()).isEqualTo(State.CLOSED);
		assertThat(this.breaker.consecutiveFailures()).isZero();
	}

	@Test
	void aLateSuccessFromBeforeTheOpeningDoesNotCloseIt() {
		open();
		assertThat(this.breaker.recordSuccess()).isFalse();
		assertThat(this.breaker.tryAcquire()).isFalse();
	}

	@Test
	void aTrialWhoseOutcomeIsNeverReportedIsReplacedAfterAnotherPeriod() {
		open();
		advance(Duration.ofSeconds(2));
		assertThat(this.breaker.tryAcquire()).isTrue();
		advance(Duration.ofSeconds(1));
		assertThat(this.breaker.tryAcquire()).isFalse();
		advance(Duration.ofSeconds(1));
		assertThat(this.breaker.tryAcquire()).isTrue();
	}

	@Test
	void concurrentCallersGetExactlyOneTrial() throws Exception {
		open();
		advance(Duration.ofSeconds(2));
		CircuitBreaker real = this.breaker;
		int threads = 16;
		CyclicBarrier barrier = new CyclicBarrier(threads);
		AtomicInteger trials = new AtomicInteger();
		List<Thread> callers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread caller = new Thread(() -> {
				try {
					barrier.await();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				if (real.tryAcquire()) {
					trials.incrementAndGet();
				}
			});
			caller.start();
			callers.add(caller);
		}
		for (Thread caller : callers) {
			caller.join();
		}
		assertThat(trials.get()).isOne();
	}

	@Test
	void rejectsNonsense() {
		assertThatIllegalArgumentException().isThrownBy(() -> new CircuitBreaker(0, Duration.ofSeconds(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new CircuitBreaker(1, Duration.ZERO));
	}

	private void open() {
		for (int i = 0; i < 3; i++) {
			this.breaker.recordFailure();
		}
		assertThat(this.breaker.state()).isEqualTo(State.OPEN);
	}

}
