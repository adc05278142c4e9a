package io.cacheframework.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Key checks (CONFORMANCE §E) and the Python {@code repr} used in their messages.
 */
class CacheKeyValidationTests {

	@Test
	void lengthLimitIs250() {
		assertThat(AbstractCacheBackend.isMemcachedSafe(":1:" + "a".repeat(247))).isTrue();
		assertThat(AbstractCacheBackend.isMemcachedSafe(":1:" + "a".repeat(248))).isFalse();
		assertThat(AbstractCacheBackend.keyProblems(":1:" + "a".repeat(247))).isEmpty();
		assertThat(AbstractCacheBackend.keyProblems(":1:" + "a".repeat(248))).hasSize(1);
	}

	@Test
	void lengthCountsUtf8Bytes() {
		// DESIGN.md: bytes, what memcached counts (Django counts code points).
		String fits = ":1:" + "清".repeat(82);
		String tooLong = ":1:" + "清".repeat(83);
		assertThat(AbstractCacheBackend.isMemcachedSafe(fits)).isTrue();
		assertThat(AbstractCacheBackend.isMemcachedSafe(tooLong)).isFalse();
		assertThat(AbstractCacheBackend.keyProblems(tooLong)).containsExactly(
				"Cache key will cause errors if used with memcached: '" + tooLong + "' (longer than 250)");
		// A character outside the BMP is 4 UTF-8 bytes (two UTF-16 chars of 2 each).
		assertThat(AbstractCacheBackend.isMemcachedSafe(":1:" + "😀".repeat(61) + "a")).isTrue();
		assertThat(AbstractCacheBackend.isMemcachedSafe(":1:" + "😀".repeat(62))).isFalse();
	}

	@Test
	void controlCharactersSpaceAndDelAreRefused() {
		for (char c = 0; c <= 0x20; c++) {
			assertThat(AbstractCacheBackend.isMemcachedSafe("a" + c + "b")).as("char %d", (int) c).isFalse();
		}
		assertThat(AbstractCacheBackend.isMemcachedSafe("a\u007fb")).isFalse();
		assertThat(AbstractCacheBackend.isMemcachedSafe("a~b!\u0080清")).isTrue();
	}

	@Test
	void bothProblemsAreReportedLengthFirst() {
		String key = ":1:a b" + "c".repeat(246);
		assertThat(AbstractCacheBackend.keyProblems(key)).containsExactly(
				"Cache key will cause errors if used with memcached: '" + key + "' (longer than 250)",
				"Cache key contains characters that will cause errors if used with memcached: '" + key + "'");
	}

	@Test
	void pythonRepr() {
		assertThat(CacheKeys.repr("plain")).isEqualTo("'plain'");
		assertThat(CacheKeys.repr("a\nb\tc\rd")).isEqualTo("'a\\nb\\tc\\rd'");
		assertThat(CacheKeys.repr("back\\slash")).isEqualTo("'back\\\\slash'");
		assertThat(CacheKeys.repr("it's")).isEqualTo("\"it's\"");
		assertThat(CacheKeys.repr("it's \"quoted\"")).isEqualTo("'it\\'s \"quoted\"'");
		assertThat(CacheKeys.repr("\u0000\u001f\u007f")).isEqualTo("'\\x00\\x1f\\x7f'");
		assertThat(CacheKeys.repr("清 é")).isEqualTo("'清 é'");
	}

}
