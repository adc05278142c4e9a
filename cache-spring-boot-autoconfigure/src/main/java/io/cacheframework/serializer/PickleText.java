package io.cacheframework.serializer;

import java.io.ByteArrayOutputStream;

/**
 * The text codecs pickle uses, written out so that they are strict where Python is strict: UTF-8 with Python's
 * {@code surrogatepass} handler (pickle's encoding of {@code str}, which lets lone surrogates through),
 * {@code raw-unicode-escape} (protocol 0's {@code UNICODE}) and {@code escape_decode} (Python 2's {@code STRING}).
 * Malformed input fails; nothing is replaced silently.
 */
final class PickleText {

	private PickleText() {
	}

	/**
	 * Decode UTF-8, accepting encoded lone surrogates as Python's {@code surrogatepass} does.
	 * @throws UnreadableValueException if the bytes are not UTF-8
	 */
	static String decodeUtf8(byte[] data, int offset, int length) {
		// A UTF-16 string never has more chars than its UTF-8 form has bytes.
		char[] out = new char[length];
		int n = 0;
		int i = offset;
		int end = offset + length;
		while (i < end) {
			int b0 = data[i] & 0xFF;
			if (b0 < 0x80) {
				out[n++] = (char) b0;
				i++;
				continue;
			}
			int count;
			int cp;
			int min;
			if (b0 >= 0xC2 && b0 <= 0xDF) {
				count = 1;
				cp = b0 & 0x1F;
				min = 0x80;
			}
			else if (b0 >= 0xE0 && b0 <= 0xEF) {
				count = 2;
				cp = b0 & 0x0F;
				min = 0x800;
			}
			else if (b0 >= 0xF0 && b0 <= 0xF4) {
				count = 3;
				cp = b0 & 0x07;
				min = 0x10000;
			}
			else {
				throw new UnreadableValueException("invalid UTF-8 in a pickled string");
			}
			if (i + count >= end) {
				throw new UnreadableValueException("truncated UTF-8 in a pickled string");
			}
			for (int k = 1; k <= count; k++) {
				int b = data[i + k] & 0xFF;
				if ((b & 0xC0) != 0x80) {
					throw new UnreadableValueException("invalid UTF-8 in a pickled string");
				}
				cp = (cp << 6) | (b & 0x3F);
			}
			if (cp < min || cp > Character.MAX_CODE_POINT) {
				throw new UnreadableValueException("invalid UTF-8 in a pickled string");
			}
			n += Character.toChars(cp, out, n);
			i += count + 1;
		}
		return new String(out, 0, n);
	}

	/**
	 * Encode UTF-8, writing a lone surrogate as its three-byte form (Python's {@code surrogatepass}), so that
	 * Python reads back exactly the chars the Java string holds.
	 */
	static byte[] encodeUtf8(String text) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
		int i = 0;
		while (i < text.length()) {
			char c = text.charAt(i);
			int cp = c;
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				cp = Character.toCodePoint(c, text.charAt(i + 1));
				i++;
			}
			i++;
			if (cp < 0x80) {
				out.write(cp);
			}
			else if (cp < 0x800) {
				out.write(0xC0 | (cp >> 6));
				out.write(0x80 | (cp & 0x3F));
			}
			else if (cp < 0x10000) {
				out.write(0xE0 | (cp >> 12));
				out.write(0x80 | ((cp >> 6) & 0x3F));
				out.write(0x80 | (cp & 0x3F));
			}
			else {
				out.write(0xF0 | (cp >> 18));
				out.write(0x80 | ((cp >> 12) & 0x3F));
				out.write(0x80 | ((cp >> 6) & 0x3F));
				out.write(0x80 | (cp & 0x3F));
			}
		}
		return out.toByteArray();
	}

	/**
	 * Decode Python's {@code raw-unicode-escape} as CPython 3.11 does: bytes are Latin-1 code points, except that
	 * a backslash followed by {@code u} (4 hex digits) or {@code U} (8 hex digits) is an escape; a backslash
	 * followed by anything else stands for itself and that character.
	 */
	static String decodeRawUnicodeEscape(byte[] data, int offset, int length) {
		StringBuilder out = new StringBuilder(length);
		int i = offset;
		int end = offset + length;
		while (i < end) {
			int c = data[i++] & 0xFF;
			if (c != '\\' || i >= end) {
				out.append((char) c);
				continue;
			}
			int next = data[i++] & 0xFF;
			int digits = (next == 'u') ? 4 : (next == 'U') ? 8 : 0;
			if (digits == 0) {
				out.append('\\').append((char) next);
				continue;
			}
			if (end - i < digits) {
				throw new UnreadableValueException("truncated \\u escape in a pickled string");
			}
			long cp = 0;
			for (int k = 0; k < digits; k++) {
				int h = Character.digit(data[i++] & 0xFF, 16);
				if (h < 0) {
					throw new UnreadableValueException("malformed \\u escape in a pickled string");
				}
				cp = (cp << 4) | h;
			}
			if (cp > Character.MAX_CODE_POINT) {
				throw new UnreadableValueException("\\U escape out of range in a pickled string");
			}
			out.appendCodePoint((int) cp);
		}
		return out.toString();
	}

	/**
	 * Decode the body of a quoted Python 2 {@code STRING} as {@code codecs.escape_decode} does, then as ASCII (the
	 * default {@code encoding} of Python 3's unpickler).
	 */
	static String decodeEscapedAscii(byte[] data, int offset, int length) {
		StringBuilder out = new StringBuilder(length);
		int i = offset;
		int end = offset + length;
		while (i < end) {
			int c = data[i++] & 0xFF;
			if (c != '\\') {
				out.append(ascii(c));
				continue;
			}
			if (i >= end) {
				throw new UnreadableValueException("trailing backslash in a pickled STRING");
			}
			int e = data[i++] & 0xFF;
			switch (e) {
				case '\n' -> {
				}
				case '\\', '\'', '"' -> out.append((char) e);
				case 'a' -> out.append('\u0007');
				case 'b' -> out.append('\b');
				case 'f' -> out.append('\f');
				case 'n' -> out.append('\n');
				case 'r' -> out.append('\r');
				case 't' -> out.append('\t');
				case 'v' -> out.append('\u000b');
				case 'x' -> {
					if (end - i < 2 || Character.digit(data[i] & 0xFF, 16) < 0
							|| Character.digit(data[i + 1] & 0xFF, 16) < 0) {
						throw new UnreadableValueException("invalid \\x escape in a pickled STRING");
					}
					int v = Character.digit(data[i] & 0xFF, 16) * 16 + Character.digit(data[i + 1] & 0xFF, 16);
					i += 2;
					out.append(ascii(v));
				}
				default -> {
					if (e >= '0' && e <= '7') {
						int v = e - '0';
						for (int k = 0; k < 2 && i < end && data[i] >= '0' && data[i] <= '7'; k++) {
							v = v * 8 + (data[i++] - '0');
						}
						out.append(ascii(v & 0xFF));
					}
					else {
						out.append('\\').append(ascii(e));
					}
				}
			}
		}
		return out.toString();
	}

	/**
	 * Decode bytes as strict ASCII, as Python 3's unpickler does for Python 2 {@code str} by default.
	 */
	static String decodeAscii(byte[] data, int offset, int length) {
		char[] out = new char[length];
		for (int k = 0; k < length; k++) {
			out[k] = ascii(data[offset + k] & 0xFF);
		}
		return new String(out);
	}

	private static char ascii(int c) {
		if (c > 0x7F) {
			throw new UnreadableValueException(
					"a Python 2 str holds a non-ASCII byte (Python 3 refuses it too without encoding='latin1')");
		}
		return (char) c;
	}

}
