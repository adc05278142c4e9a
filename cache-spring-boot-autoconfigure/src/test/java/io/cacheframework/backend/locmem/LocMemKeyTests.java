package io.cacheframework.backend.locmem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link LocMemKey} is its text: equal and hashed as the concatenated string, whatever the split.
 */
class LocMemKeyTests {

	@Test
	void hashCodeIsTheMadeStringsHashCode() {
		for (String text : texts()) {
			for (int split = 0; split <= text.length(); split++) {
				LocMemKey key = new LocMemKey(text.substring(0, split), text.substring(split));
				assertThat(key.hashCode()).as("%s split at %d", text, split).isEqualTo(text.hashCode());
				assertThat(key).hasToString(text);
				assertThat(key.length()).isEqualTo(text.length());
			}
		}
	}

	@Test
	void keysOfOneTextAreEqualWhereverTheyAreSplit() {
		for (String text : texts()) {
			LocMemKey whole = LocMemKey.of(text);
			for (int split = 0; split <= text.length(); split++) {
				LocMemKey key = new LocMemKey(text.substring(0, split), text.substring(split));
				assertThat(key).as("%s split at %d", text, split).isEqualTo(whole);
				assertThat(whole).isEqualTo(key);
			}
		}
	}

	@Test
	void keysOfDifferentTextsDifferEvenWithTheSameHashCode() {
		// "Aa" and "BB" have the same String hash code, so only the comparison of the text tells them apart.
		assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
		assertThat(new LocMemKey(":1:", "Aa")).hasSameHashCodeAs(new LocMemKey(":1:", "BB"))
			.isNotEqualTo(new LocMemKey(":1:", "BB"));
		assertThat(new LocMemKey(":1:A", "a")).isNotEqualTo(new LocMemKey(":1:", "BB"))
			.isNotEqualTo(LocMemKey.of(":1:BB"));
		assertThat(new LocMemKey(":1:", "AaAa")).isNotEqualTo(new LocMemKey(":1:Aa", "BB"));
		// A head that is not a prefix of the other key's text.
		assertThat(new LocMemKey("b:1:", "k")).isNotEqualTo(new LocMemKey("a:1:", "k"))
			.isNotEqualTo(new LocMemKey("b:", "1:j"));
		// Same text in the head, different lengths overall.
		assertThat(new LocMemKey(":1:", "k")).isNotEqualTo(new LocMemKey(":1:k", "k"));
	}

	@Test
	void randomSplitsAgreeWithStringEquality() {
		Random random = new Random(7);
		String alphabet = "ab:清😀";
		for (int i = 0; i < 20_000; i++) {
			String a = randomText(random, alphabet);
			String b = (random.nextBoolean()) ? a : randomText(random, alphabet);
			LocMemKey left = split(a, random);
			LocMemKey right = split(b, random);
			assertThat(left.equals(right)).as("%s vs %s", left, right).isEqualTo(a.equals(b));
			if (a.equals(b)) {
				assertThat(left.hashCode()).isEqualTo(right.hashCode());
			}
		}
	}

	private static LocMemKey split(String text, Random random) {
		int at = random.nextInt(text.length() + 1);
		return new LocMemKey(text.substring(0, at), text.substring(at));
	}

	private static String randomText(Random random, String alphabet) {
		StringBuilder text = new StringBuilder();
		int length = random.nextInt(6);
		for (int i = 0; i < length; i++) {
			text.appendCodePoint(alphabet.codePoints().toArray()[random.nextInt(alphabet.codePointCount(0,
					alphabet.length()))]);
		}
		return text.toString();
	}

	private static List<String> texts() {
		List<String> texts = new ArrayList<>(List.of("", ":1:k", "p:2:1:user:5", "Iñtërnâtiônàlizætiøn清", "😀:1:😀"));
		// Longer than the table of powers of 31.
		texts.add(":1:" + "x".repeat(300));
		texts.add(":1:" + "y".repeat(1000) + "清");
		return texts;
	}

}
