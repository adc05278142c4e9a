package io.cacheframework.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
	 * Whether text has no whitespace or control characters (memcached's rule), is well-formed UTF-16 (no lone
	 * surrogate, see {@link #loneSurrogateIndex}) and fits in {@code maxBytes} UTF-8 bytes.
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
				if (Character.isSurrogate(c)) {
					if (!Character.isHighSurrogate(c) || i + 1 == length
							|| !Character.isLowSurrogate(key.charAt(i + 1))) {
						return false;
					}
					// A pair is one code point of 4 bytes.
					bytes += 2;
					i++;
				}
				else {
					bytes += utf8Width(c) - 1;
				}
			}
		}
		return bytes <= maxBytes;
	}

	/**
	 * Django's {@code CacheKeyWarning} messages for each of memcached's rules a made key breaks, length first.
	 * @param key the made key
	 * @return the problems (empty for a key memcached accepts)
	 */
	public static List<String> problems(String key) {
		List<String> problems = new ArrayList<>(2);
		if (utf8Length(key) > MEMCACHED_MAX_KEY_LENGTH) {
			problems.add("Cache key will cause errors if used with memcached: " + repr(key) + " (longer than "
					+ MEMCACHED_MAX_KEY_LENGTH + ")");
		}
		if (hasUnsafeCharacters(key)) {
			problems.add("Cache key contains characters that will cause errors if used with memcached: " + repr(key));
		}
		return problems;
	}

	/**
	 * The index of the first lone surrogate in text: a high surrogate not followed by a low one, or a low surrogate
	 * not preceded by a high one. Such a {@code char} is not a character and has no UTF-8 form: Java's encoder writes
	 * {@code ?} for it, so {@code "invoice"} followed by U+D800 would be stored as {@code "invoice?"} and read that
	 * key's entry.
	 * Every other {@code char} sequence, noncharacters such as {@code U+FFFF} included, encodes to UTF-8 and back
	 * unchanged.
	 * @param text the text
	 * @return the index, or {@code -1} if the text is well-formed
	 */
	public static int loneSurrogateIndex(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isSurrogate(c)) {
				if (Character.isHighSurrogate(c) && i + 1 < text.length()
						&& Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
				}
				else {
					return i;
				}
			}
		}
		return -1;
	}

	/**
	 * The UTF-8 bytes of text, with each lone surrogate written as its own 3-byte sequence (the generalized UTF-8
	 * known as WTF-8, Python's {@code surrogatepass}) instead of {@code ?}: the same bytes as UTF-8 for well-formed
	 * text, and distinct bytes for distinct texts, so a digest over them never makes two keys share an entry.
	 * @param text the text
	 * @return the bytes
	 */
	public static byte[] utf8Bytes(String text) {
		if (loneSurrogateIndex(text) < 0) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 3);
		for (int i = 0; i < text.length(); i++) {
			int c = text.codePointAt(i);
			if (c < 0x80) {
				out.write(c);
			}
			else if (c < 0x800) {
				out.write(0xc0 | (c >> 6));
				out.write(0x80 | (c & 0x3f));
			}
			else if (c < 0x10000) {
				// Lone surrogates land here too: 0xED 0xA0-0xBF xx, which well-formed UTF-8 never contains.
				out.write(0xe0 | (c >> 12));
				out.write(0x80 | ((c >> 6) & 0x3f));
				out.write(0x80 | (c & 0x3f));
			}
			else {
				out.write(0xf0 | (c >> 18));
				out.write(0x80 | ((c >> 12) & 0x3f));
				out.write(0x80 | ((c >> 6) & 0x3f));
				out.write(0x80 | (c & 0x3f));
				i++;
			}
		}
		return out.toByteArray();
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
					else if (c == 0x2028 || c == 0x2029 || isLoneSurrogate(value, i)) {
						// Python's repr escapes lone surrogates too; written raw, a logger would print them as '?'.
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

	private static boolean isLoneSurrogate(String text, int i) {
		char c = text.charAt(i);
		if (Character.isHighSurrogate(c)) {
			return i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
		}
		return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
	}

}
