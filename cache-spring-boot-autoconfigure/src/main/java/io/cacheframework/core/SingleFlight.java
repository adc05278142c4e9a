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
		Flight flight = new Flight();
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
			throw Failure.rethrow(ex.getCause());
		}
		if (outcome instanceof Failure failure) {
			throw Failure.rethrow(failure.cause());
		}
		return follow.apply((T) outcome);
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

		final Thread owner = Thread.currentThread();

		final CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();

	}

}
