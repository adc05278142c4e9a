package io.cacheframework.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

import io.cacheframework.backend.dummy.DummyCacheBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Key checks (CONFORMANCE §E) and the Python {@code repr} used in their messages.
 */
class CacheKeyValidationTests {

	@Test
	void lengthLimitIs250() {
		assertThat(CacheKeys.isSafe(":1:" + "a".repeat(247), CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isTrue();
		assertThat(CacheKeys.isSafe(":1:" + "a".repeat(248), CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isFalse();
		assertThat(CacheKeys.problems(":1:" + "a".repeat(247))).isEmpty();
		assertThat(CacheKeys.problems(":1:" + "a".repeat(248))).hasSize(1);
	}

	@Test
	void lengthCountsUtf8Bytes() {
		// DESIGN.md: bytes, what memcached counts (Django counts code points).
		String fits = ":1:" + "清".repeat(82);
		String tooLong = ":1:" + "清".repeat(83);
		assertThat(CacheKeys.isSafe(fits, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isTrue();
		assertThat(CacheKeys.isSafe(tooLong, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isFalse();
		assertThat(CacheKeys.problems(tooLong)).containsExactly(
				"Cache key will cause errors if used with memcached: '" + tooLong + "' (longer than 250)");
		// A character outside the BMP is 4 UTF-8 bytes (two UTF-16 chars of 2 each).
		assertThat(CacheKeys.isSafe(":1:" + "😀".repeat(61) + "a", CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isTrue();
		assertThat(CacheKeys.isSafe(":1:" + "😀".repeat(62), CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isFalse();
	}

	@Test
	void controlCharactersSpaceAndDelAreRefused() {
		for (char c = 0; c <= 0x20; c++) {
			assertThat(CacheKeys.isSafe("a" + c + "b", CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).as("char %d", (int) c).isFalse();
		}
		assertThat(CacheKeys.isSafe("a\u007fb", CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isFalse();
		assertThat(CacheKeys.isSafe("a~b!\u0080清", CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isTrue();
	}

	@Test
	void bothProblemsAreReportedLengthFirst() {
		String key = ":1:a b" + "c".repeat(246);
		assertThat(CacheKeys.problems(key)).containsExactly(
				"Cache key will cause errors if used with memcached: '" + key + "' (longer than 250)",
				"Cache key contains characters that will cause errors if used with memcached: '" + key + "'");
	}

	@Test
	void loneSurrogatesAreFoundAndMakeAKeyUnsafe() {
		assertThat(CacheKeys.loneSurrogateIndex("invoice")).isEqualTo(-1);
		assertThat(CacheKeys.loneSurrogateIndex("invoice\uD83D\uDE00")).isEqualTo(-1);
		assertThat(CacheKeys.loneSurrogateIndex("invoice\uD800")).isEqualTo(7);
		assertThat(CacheKeys.loneSurrogateIndex("invoice\uDC00x")).isEqualTo(7);
		assertThat(CacheKeys.loneSurrogateIndex("\uDE00\uD83D")).isEqualTo(0);
		assertThat(CacheKeys.loneSurrogateIndex("a\uD83D\uDE00\uD83D")).isEqualTo(3);
		// Noncharacters and private-use code points have a UTF-8 form: only surrogates lack one.
		assertThat(CacheKeys.loneSurrogateIndex("\uFFFF\uFFFE\uFDD0\uE000\uDBFF\uDFFF")).isEqualTo(-1);
		for (String key : new String[] { ":1:invoice\uD800", ":1:\uDC00", ":1:\uD800\uD800", ":1:a\uDBFF" }) {
			assertThat(CacheKeys.isSafe(key, CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).as(CacheKeys.repr(key)).isFalse();
		}
		assertThat(CacheKeys.isSafe(":1:invoice\uD83D\uDE00", CacheKeys.MEMCACHED_MAX_KEY_LENGTH)).isTrue();
	}

	@Test
	void dummyBackendRefusesLoneSurrogatesLikeEveryStore() {
		// It stores nothing, but a key that fails in production must fail in development too.
		try (DummyCacheBackend dummy = new DummyCacheBackend(CacheSettings.builder("dummy").build())) {
			for (Map.Entry<String, Consumer<CacheBackend>> operation : AbstractCacheBackendTests
				.keyOperations("invoice\uD800")
				.entrySet()) {
				assertThatExceptionOfType(InvalidCacheKeyException.class).as(operation.getKey())
					.isThrownBy(() -> operation.getValue().accept(dummy))
					.withMessageContaining("lone surrogate");
			}
		}
	}

	@Test
	void everyCodePointButLoneSurrogatesSurvivesUtf8() {
		// Why lone surrogates are the only keys refused on every backend: all other chars round-trip through UTF-8.
		for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
			String text = Character.toString(c);
			boolean survives = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(text);
			assertThat(survives).as("U+%04X", c).isEqualTo(CacheKeys.loneSurrogateIndex(text) < 0);
		}
	}

	@Test
	void utf8BytesAreUtf8ForWellFormedTextAndDistinctForLoneSurrogates() {
		for (String text : new String[] { "", "plain", "清 é", "\uD83D\uDE00", "\uFFFF" }) {
			assertThat(CacheKeys.utf8Bytes(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
		}
		assertThat(CacheKeys.utf8Bytes("a\uD800")).containsExactly(0x61, 0xED, 0xA0, 0x80);
		assertThat(CacheKeys.utf8Bytes("\uDFFF\uD83D\uDE00")).containsExactly(0xED, 0xBF, 0xBF, 0xF0, 0x9F, 0x98,
				0x80);
		assertThat(CacheKeys.utf8Bytes("invoice\uD800")).isNotEqualTo(CacheKeys.utf8Bytes("invoice?"));
		assertThat(CacheKeys.utf8Bytes("\uD800\uDC00".substring(0, 1) + "x"))
			.isNotEqualTo(CacheKeys.utf8Bytes("\uDC00x"));
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
		// Lone surrogates are escaped as Python escapes them (a log would print '?' for them); pairs are kept.
		assertThat(CacheKeys.repr("a\uD800b\uDC00\uD83D\uDE00")).isEqualTo("'a\\ud800b\\udc00\uD83D\uDE00'");
	}

}
