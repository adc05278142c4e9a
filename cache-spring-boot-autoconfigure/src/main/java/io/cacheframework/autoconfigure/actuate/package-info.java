/**
 * Auto-configuration of the Actuator endpoint, health component and Micrometer meters, each switched on by its
 * optional library.
 */
@NullMarked
package io.cacheframework.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
