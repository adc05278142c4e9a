package io.cacheframework.thymeleaf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts how often each part of a template is evaluated: templates call {@code ${renders.next('name')}}, so a
 * cached fragment shows the count of its one render and the counter shows how many renders happened.
 */
public class Renders {

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	/**
	 * Count one evaluation.
	 * @param name what was evaluated
	 * @return the count including this one
	 */
	public int next(String name) {
		return this.counts.computeIfAbsent(name, (key) -> new AtomicInteger()).incrementAndGet();
	}

	/**
	 * Count one evaluation of {@code evil}: called by expressions that must never be evaluated (no quotes needed, so
	 * HTML escaping does not change the expression).
	 * @return the count including this one
	 */
	public int evil() {
		return next("evil");
	}

	/**
	 * How often something was evaluated.
	 * @param name what was evaluated
	 * @return the count
	 */
	public int count(String name) {
		AtomicInteger count = this.counts.get(name);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Forget all counts.
	 */
	public void reset() {
		this.counts.clear();
	}

}
