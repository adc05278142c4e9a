package io.cacheframework.core;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Django 6.1.1's {@code make_template_fragment_key} (netstring form), with the vectors of CONFORMANCE.md §2.
 */
class TemplateFragmentKeysTests {

	@Test
	void singleVaryOnValue() {
		assertThat(TemplateFragmentKeys.make("sidebar", List.of("guyan")))
			.isEqualTo("template.cache.sidebar.05dd87334169c1d75c62bb688057ee57");
	}

	@Test
	void noVaryOnValues() {
		assertThat(TemplateFragmentKeys.make("sidebar", List.of()))
			.isEqualTo("template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e");
		assertThat(TemplateFragmentKeys.make("sidebar", null))
			.isEqualTo("template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e");
	}

	@Test
	void mixedValues() {
		// The template tag resolves None to the string "None" before making the key (Python's str(None)).
		assertThat(TemplateFragmentKeys.make("foo", List.of("abc:def%", "x y", 1, "None")))
			.isEqualTo("template.cache.foo.5f51bca0050cd34eb43d123e75c0e57c");
	}

	@Test
	void oneString() {
		assertThat(TemplateFragmentKeys.make("foo", List.of("abc")))
			.isEqualTo("template.cache.foo.a6360ec2c58ecc4b23fd5bd00216fccd");
	}

	@Test
	void numberAndItsStringGiveTheSameKey() {
		assertThat(TemplateFragmentKeys.make("foo", List.of("1")))
			.isEqualTo("template.cache.foo.6709aa7b0015b3f2257cda58f6ae8ed0");
		assertThat(TemplateFragmentKeys.make("foo", List.of(1)))
			.isEqualTo("template.cache.foo.6709aa7b0015b3f2257cda58f6ae8ed0");
	}

	@Test
	void separatorsDoNotCollide() {
		// 3.2's "value:" concatenation made these two equal; netstrings keep them apart.
		assertThat(TemplateFragmentKeys.make("foo", List.of("a:", "b")))
			.isEqualTo("template.cache.foo.c2b5082a38f258aec9680e97ec265aa0");
		assertThat(TemplateFragmentKeys.make("foo", List.of("a", ":b")))
			.isEqualTo("template.cache.foo.5e41238b163f6757a314aea829d1022e");
	}

	/**
	 * RELIABILITY §7 E11: distinct vary-on lists never share a key, whatever separators their values contain
	 * ({@code ["a:b"]} against {@code ["a", "b"]}, and 10,000 random lists built from separator-heavy parts). Only
	 * values with the same text meet ({@code [1]} and {@code ["1"]}, as in Django: {@link #numberAndItsStringGiveTheSameKey}).
	 */
	@Test
	void distinctVaryOnListsNeverShareAKey() {
		assertThat(TemplateFragmentKeys.make("foo", List.of("a:b")))
			.isNotEqualTo(TemplateFragmentKeys.make("foo", List.of("a", "b")));
		assertThat(TemplateFragmentKeys.make("foo", List.of("a,b")))
			.isNotEqualTo(TemplateFragmentKeys.make("foo", List.of("a", "b")));
		assertThat(TemplateFragmentKeys.make("foo", List.of("")))
			.isNotEqualTo(TemplateFragmentKeys.make("foo", List.of()));
		String[] parts = { "a", "b", ":", ",", "1", "", "1:", ":a", "2:ab", "\u0000" };
		java.util.Random random = new java.util.Random(11);
		java.util.Map<String, List<String>> seen = new java.util.HashMap<>();
		for (int i = 0; i < 10_000; i++) {
			List<String> varyOn = new java.util.ArrayList<>();
			for (int n = random.nextInt(4); n > 0; n--) {
				varyOn.add(parts[random.nextInt(parts.length)] + parts[random.nextInt(parts.length)]);
			}
			List<String> earlier = seen.putIfAbsent(TemplateFragmentKeys.make("foo", varyOn), varyOn);
			if (earlier != null) {
				assertThat(varyOn).as("lists with the same key").isEqualTo(earlier);
			}
		}
		assertThat(seen).as("distinct lists tried").hasSizeGreaterThan(2_000);
	}

	@Test
	void emptyString() {
		assertThat(TemplateFragmentKeys.make("sidebar", List.of("")))
			.isEqualTo("template.cache.sidebar.3b59035bd3b34e30981dc990dd93acbb");
	}

	@Test
	void nullElementIsAnEmptyString() {
		assertThat(TemplateFragmentKeys.make("sidebar", Arrays.asList((Object) null)))
			.isEqualTo("template.cache.sidebar.3b59035bd3b34e30981dc990dd93acbb");
	}

	@Test
	void netstringLengthCountsUtf8Bytes() {
		// md5(b"3:\xe6\xb8\x85,"): the length is 3 bytes, not 1 character.
		assertThat(TemplateFragmentKeys.make("sidebar", List.of("清")))
			.isEqualTo("template.cache.sidebar.3fe0f8a7057b5510466c6969b20d22d9");
	}

	@Test
	void loneSurrogateDoesNotShareAFragmentWithAQuestionMark() {
		// Encoded to UTF-8 the plain way, both values are "a?": one user's fragment would be served to the other.
		assertThat(TemplateFragmentKeys.make("sidebar", List.of("a\uD800")))
			.isNotEqualTo(TemplateFragmentKeys.make("sidebar", List.of("a?")))
			.isNotEqualTo(TemplateFragmentKeys.make("sidebar", List.of("a\uDC00")));
	}

}
