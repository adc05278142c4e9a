package io.cacheframework.backend.locmem;

/**
 * A made key held as two parts, {@code head + tail}, so that a read can look up {@code prefix:version:} plus the
 * caller's key without building the concatenated string: a lookup key that does not escape {@code get} is
 * scalar-replaced by the JIT, so a hit allocates nothing.
 *
 * <p>Equality and hash code are those of the concatenated text, whatever the split: a key made by Django's default
 * key function ({@code ":1:"} + {@code "k"}) and the same text made by a custom key function ({@code ""} +
 * {@code ":1:k"}) are the same entry, as they are in Django's locmem, which keys its dictionary by the made string.
 */
final class LocMemKey {

	/**
	 * 31 to the power of small lengths, for the hash code of a concatenation.
	 */
	private static final int[] POWERS_OF_31 = new int[256];

	static {
		POWERS_OF_31[0] = 1;
		for (int i = 1; i < POWERS_OF_31.length; i++) {
			POWERS_OF_31[i] = POWERS_OF_31[i - 1] * 31;
		}
	}

	private final String head;

	private final String tail;

	private final int hash;

	LocMemKey(String head, String tail) {
		this.head = head;
		this.tail = tail;
		// String.hashCode of head + tail, from the parts' (cached) hash codes.
		this.hash = head.hashCode() * powerOf31(tail.length()) + tail.hashCode();
	}

	/**
	 * A made key as one string.
	 * @param madeKey the made key
	 * @return the key
	 */
	static LocMemKey of(String madeKey) {
		return new LocMemKey("", madeKey);
	}

	private static int powerOf31(int exponent) {
		if (exponent < POWERS_OF_31.length) {
			return POWERS_OF_31[exponent];
		}
		int result = 1;
		int base = 31;
		for (int e = exponent; e > 0; e >>= 1) {
			if ((e & 1) != 0) {
				result *= base;
			}
			base *= base;
		}
		return result;
	}

	/**
	 * The made key's length in chars.
	 * @return the length
	 */
	int length() {
		return this.head.length() + this.tail.length();
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof LocMemKey key) || key.hash != this.hash) {
			return false;
		}
		if (this.head.length() == key.head.length()) {
			// The common case, the same head (usually the same instance): heads of one length that differ make
			// different keys.
			return this.head.equals(key.head) && this.tail.equals(key.tail);
		}
		return (this.head.length() < key.head.length()) ? sameText(this, key) : sameText(key, this);
	}

	/**
	 * Whether two keys split at different places have the same text.
	 * @param shorter the key with the shorter head
	 * @param longer the key with the longer head
	 */
	private static boolean sameText(LocMemKey shorter, LocMemKey longer) {
		int shortHead = shorter.head.length();
		int longHead = longer.head.length();
		int length = shortHead + shorter.tail.length();
		return longHead + longer.tail.length() == length && longer.head.startsWith(shorter.head)
				&& shorter.tail.regionMatches(0, longer.head, shortHead, longHead - shortHead)
				&& shorter.tail.regionMatches(longHead - shortHead, longer.tail, 0, longer.tail.length());
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	/**
	 * The made key.
	 */
	@Override
	public String toString() {
		return this.head.isEmpty() ? this.tail : this.head.concat(this.tail);
	}

}
