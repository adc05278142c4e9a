package io.cacheframework.core;

/**
 * Checks on key text shared by the base backend's validation and the layers that turn other things into keys
 * (Spring cache keys, page and fragment keys).
 *
 * @since 0.1.0
 */
public final class CacheKeys {

	/**
	 * The longest key memcached accepts, in bytes.
	 */
	public static final int MEMCACHED_MAX_KEY_LENGTH = 250;

	private CacheKeys() {
	}

	/**
	 * Whether text has no whitespace or control characters (memcached's rule) and fits in {@code maxBytes} UTF-8
	 * bytes.
	 * @param key the text
	 * @param maxBytes the byte budget
	 * @return whether it is safe
	 */
	public static boolean isSafe(String key, int maxBytes) {
		int length = key.length();
		if (length > maxBytes) {
			return false;
		}
		int bytes = length;
		for (int i = 0; i < length; i++) {
			char c = key.charAt(i);
			// One comparison for printable ASCII, the common case: this runs on every cache call.
			if ((char) (c - 0x21) >= 0x5e) {
				if (c <= 0x20 || c == 0x7f) {
					return false;
				}
				bytes += utf8Width(c) - 1;
			}
		}
		return bytes <= maxBytes;
	}

	/**
	 * Whether text contains whitespace or control characters that memcached refuses.
	 * @param key the text
	 * @return whether it has such characters
	 */
	public static boolean hasUnsafeCharacters(String key) {
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c <= 0x20 || c == 0x7f) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The UTF-8 length of text.
	 * @param key the text
	 * @return its length in bytes
	 */
	public static int utf8Length(String key) {
		int bytes = 0;
		for (int i = 0; i < key.length(); i++) {
			bytes += utf8Width(key.charAt(i));
		}
		return bytes;
	}

	private static int utf8Width(char c) {
		// A surrogate pair is 4 bytes: 2 per half.
		return (c < 0x80) ? 1 : (c < 0x800) ? 2 : Character.isSurrogate(c) ? 2 : 3;
	}

	/**
	 * Python's {@code repr()} of text, as Django's key warnings and template errors quote it: {@code 'key'}, with
	 * control characters escaped so that a key or template value cannot forge log lines.
	 * @param value the text
	 * @return the quoted text
	 */
	public static String repr(String value) {
		char quote = (value.indexOf('\'') >= 0 && value.indexOf('"') < 0) ? '"' : '\'';
		StringBuilder result = new StringBuilder(value.length() + 2).append(quote);
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '\\' -> result.append("\\\\");
				case '\t' -> result.append("\\t");
				case '\n' -> result.append("\\n");
				case '\r' -> result.append("\\r");
				default -> {
					if (c == quote) {
						result.append('\\').append(c);
					}
					else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
						result.append(String.format("\\x%02x", (int) c));
					}
					else if (c == 0x2028 || c == 0x2029) {
						result.append(String.format("\\u%04x", (int) c));
					}
					else {
						result.append(c);
					}
				}
			}
		}
		return result.append(quote).toString();
	}

}
