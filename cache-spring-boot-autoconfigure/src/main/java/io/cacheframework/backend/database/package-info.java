/**
 * The database backend, Django's {@code DatabaseCache}, on plain JDBC connections.
 */
@NullMarked
package io.cacheframework.backend.database;

import org.jspecify.annotations.NullMarked;
