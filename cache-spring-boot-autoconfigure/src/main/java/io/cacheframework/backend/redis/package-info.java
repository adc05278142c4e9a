/**
 * The Redis backend, Django's {@code RedisCache}, on Lettuce: one server, a primary with replicas, or a Redis
 * Cluster, in Django's wire format.
 */
@NullMarked
package io.cacheframework.backend.redis;

import org.jspecify.annotations.NullMarked;
