package io.cacheframework.thymeleaf;

/**
 * Python's {@code repr()} of a string, which Django's template errors quote: {@code 'value'}, with control characters
 * escaped so a message cannot forge log lines (same rules as core's key warnings).
 */
final class Repr {

	private Repr() {
	}

	static String of(String value) {
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
