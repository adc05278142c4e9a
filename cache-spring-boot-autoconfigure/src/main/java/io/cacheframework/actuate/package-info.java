/**
 * Operator views of the caches: the Actuator endpoint {@code cachebackends}, the health component of the same
 * name, and Micrometer meters (Spring's {@code cache.*} meters for every cache name, operation latency timers,
 * page and fragment cache counters).
 */
@NullMarked
package io.cacheframework.actuate;

import org.jspecify.annotations.NullMarked;
