package com.example.consumer;

import com.example.consumer.ConsumerApplication.Price;
import com.example.consumer.ConsumerApplication.PriceService;
import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
class ConsumerApplicationTests {

	@Autowired
	Caches caches;

	@Autowired
	CacheBackend cache;

	@Autowired
	@Qualifier("sessionsCacheBackend")
	CacheBackend sessions;

	@Autowired
	PriceService prices;

	@Test
	void lowLevelApi() {
		assertThat(this.caches.aliases()).containsExactly("default", "sessions");
		assertThat(this.cache).isSameAs(this.caches.get("default"));
		this.cache.set("username", "guyan", Timeout.seconds(120));
		assertThat(this.cache.get("username")).isEqualTo("guyan");
		assertThat(this.sessions.makeKey("k")).isEqualTo("sess:1:k");
		assertThat(this.sessions.get("username")).isNull();
	}

	@Test
	void cacheable() {
		Price first = this.prices.price("A-1");
		assertThat(this.prices.price("A-1")).isEqualTo(first);
		assertThat(this.prices.lookups()).isEqualTo(1);
		assertThat(this.prices.price("B-2")).isNotEqualTo(first);
		assertThat(this.prices.lookups()).isEqualTo(2);
	}

}
