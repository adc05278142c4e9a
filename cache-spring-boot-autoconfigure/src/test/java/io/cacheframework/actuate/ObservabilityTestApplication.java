package io.cacheframework.actuate;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The application the Actuator tests start: every auto-configuration, with caching on.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableCaching
public class ObservabilityTestApplication {

}
