package io.cacheframework.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One load per key at a time within this JVM: the first caller for a key leads and does the work; callers that
 * arrive while it runs wait for its outcome instead of repeating it, and get its exception if it fails (they do not
 * queue up to try in turn). {@link CacheBackend#getOrSet} and Spring's {@code @Cacheable(sync = true)} share these
 * flights.
 *
 * <p>A flight is identified by the store (so that caches sharing one store, e.g. two locmem aliases with the same
 * location, share flights) and the made key.
 *
 * @since 0.1.0
 */
public final class SingleFlight {

	private static final ConcurrentHashMap<FlightKey, Flight> flights = new ConcurrentHashMap<>();

	private SingleFlight() {
	}

	/**
	 * Lead or join the flight for a key.
	 * @param store identifies the store the key lives in
	 * @param key the made key
	 * @param lead the leader's work; its result (or exception) goes to every caller that joined meanwhile
	 * @param follow what a joining caller does with the leader's result (e.g. read its own copy back)
	 * @param <T> the result type
	 * @return the leader's result, or what {@code follow} made of it
	 * @throws IllegalStateException if the leader's work joins its own flight (a supplier calling itself)
	 */
	@SuppressWarnings("unchecked")
	public static <T> @Nullable T run(Object store, String key, Supplier<? extends @Nullable T> lead,
			Function<? super @Nullable T, ? extends @Nullable T> follow) {
		FlightKey flightKey = new FlightKey(store, key);
		Flight flight = new Flight(Thread.currentThread());
		Flight leader = flights.putIfAbsent(flightKey, flight);
		if (leader == null) {
			Object outcome = null;
			try {
				T result = lead.get();
				outcome = result;
				return result;
			}
			catch (Throwable ex) {
				outcome = new Failure(ex);
				throw ex;
			}
			finally {
				flight.owner = null;
				flights.remove(flightKey, flight);
				flight.outcome.complete(outcome);
			}
		}
		if (leader.owner == Thread.currentThread()) {
			throw new IllegalStateException("getOrSet for key '" + key + "' called itself from its supplier");
		}
		Object outcome;
		try {
			outcome = leader.outcome.join();
		}
		catch (CompletionException ex) {
			throw Failure.rethrow(unwrap(ex));
		}
		if (outcome instanceof Failure failure) {
			throw Failure.rethrow(failure.cause());
		}
		return follow.apply((T) outcome);
	}

	/**
	 * Lead or join the flight for a key without blocking: the asynchronous twin of {@link #run}, sharing its
	 * flights, so that blocking and asynchronous callers of one key share one load.
	 * @param store identifies the store the key lives in
	 * @param key the made key
	 * @param lead starts the leader's work
	 * @param follow what a joining caller does with the leader's result
	 * @param <T> the result type
	 * @return the leader's result, or what {@code follow} made of it
	 */
	@SuppressWarnings("unchecked")
	public static <T> CompletableFuture<@Nullable T> runAsync(Object store, String key,
			Supplier<? extends CompletableFuture<@Nullable T>> lead,
			Function<? super @Nullable T, ? extends CompletableFuture<@Nullable T>> follow) {
		FlightKey flightKey = new FlightKey(store, key);
		Flight flight = new Flight(Thread.currentThread());
		Flight leader = flights.putIfAbsent(flightKey, flight);
		if (leader == null) {
			CompletableFuture<@Nullable T> work;
			try {
				work = lead.get();
			}
			catch (Throwable ex) {
				work = CompletableFuture.failedFuture(ex);
			}
			finally {
				// The thread owns the flight only while it starts the work (a supplier that completes in the caller
				// runs then): afterwards it is free to do anything, a blocking call for the same key included.
				flight.owner = null;
			}
			return work.whenComplete((result, failure) -> {
				flights.remove(flightKey, flight);
				flight.outcome.complete((failure != null) ? new Failure(unwrap(failure)) : result);
			});
		}
		if (leader.owner == Thread.currentThread()) {
			return CompletableFuture.failedFuture(
					new IllegalStateException("getOrSet for key '" + key + "' called itself from its supplier"));
		}
		return leader.outcome.thenCompose((outcome) -> (outcome instanceof Failure failure)
				? CompletableFuture.failedFuture(failure.cause()) : follow.apply((T) outcome));
	}

	/**
	 * Start a leader's computation with the flight owned by the calling thread, so that a supplier that asks for
	 * its own key again while it starts (a blocking {@code getOrSet}, or an asynchronous one it would wait for) is
	 * refused instead of waiting for itself: an asynchronous leader's supplier runs on whatever thread completed the
	 * read before it, not the one that started the flight.
	 * @param store identifies the store the key lives in
	 * @param key the made key
	 * @param supplier starts the computation
	 * @param <R> what it returns
	 * @return what the supplier returned
	 */
	static <R> R supplyAsLeader(Object store, String key, Supplier<R> supplier) {
		Flight flight = flights.get(new FlightKey(store, key));
		if (flight == null) {
			return supplier.get();
		}
		Thread previous = flight.owner;
		flight.owner = Thread.currentThread();
		try {
			return supplier.get();
		}
		finally {
			flight.owner = previous;
		}
	}

	/**
	 * Whether the calling thread is starting the computation of the flight for a key (inside its supplier).
	 * @param store identifies the store the key lives in
	 * @param key the made key
	 * @return whether a {@code getOrSet} for the key now would wait for itself
	 */
	static boolean isLeading(Object store, String key) {
		Flight flight = flights.get(new FlightKey(store, key));
		return flight != null && flight.owner == Thread.currentThread();
	}

	/** What failed, without the wrapper a dependent stage of a future adds. */
	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	private record FlightKey(Object store, String key) {
	}

	/**
	 * A leader's exception, handed to every caller waiting at that moment: the very instance, checked ones included
	 * (a supplier can only throw those sneakily).
	 */
	private record Failure(Throwable cause) {

		@SuppressWarnings("unchecked")
		static <E extends Throwable> E rethrow(Throwable cause) throws E {
			throw (E) cause;
		}

	}

	private static final class Flight {

		/**
		 * The thread running the leader's work, to refuse a supplier that waits for its own flight.
		 */
		volatile @Nullable Thread owner;

		final CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();

		Flight(@Nullable Thread owner) {
			this.owner = owner;
		}

	}

}
