package com.example.consumer;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.stereotype.Service;

@SpringBootApplication
@EnableCaching
public class ConsumerApplication {

	public static void main(String[] args) {
		SpringApplication.run(ConsumerApplication.class, args);
	}

	@Service
	public static class PriceService {

		private final AtomicInteger lookups = new AtomicInteger();

		@Cacheable("prices")
		public Price price(String sku) {
			return new Price(sku, 100 + this.lookups.incrementAndGet());
		}

		public int lookups() {
			return this.lookups.get();
		}

	}

	/**
	 * An application type: allowed for caching because it is in the application's package.
	 */
	public record Price(String sku, int cents) implements java.io.Serializable {
	}

}
