package io.cacheframework.thymeleaf;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;

import io.cacheframework.core.CacheKeys;
import io.cacheframework.core.Timeout;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.exceptions.TemplateProcessingException;

/**
 * Django's timeout rules for the {@code cache} tag (CONFORMANCE item 79): {@code None} caches forever, anything else
 * goes through Python's {@code int()}, and what {@code int()} refuses is a template error.
 */
final class FragmentTimeouts {

	// What Python's int() accepts from a string, after stripping whitespace: a sign, digits, single underscores.
	private static final Pattern PYTHON_INT = Pattern.compile("[+-]?\\d+(_\\d+)*");

	private FragmentTimeouts() {
	}

	/**
	 * Convert an evaluated {@code cache:timeout}.
	 * @param value the expression's value
	 * @return the timeout
	 * @throws TemplateProcessingException if the value is not an integer, with Django's message
	 */
	static Timeout of(@Nullable Object value) {
		if (value == null) {
			return Timeout.NEVER;
		}
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			return Timeout.seconds(((Number) value).longValue());
		}
		if (value instanceof BigInteger big) {
			return seconds(new BigDecimal(big), value);
		}
		if (value instanceof BigDecimal decimal) {
			return seconds(decimal, value);
		}
		if (value instanceof Double || value instanceof Float) {
			double number = ((Number) value).doubleValue();
			if (Double.isNaN(number) || Double.isInfinite(number)) {
				throw nonInteger(value);
			}
			// Python's int(float) truncates towards zero.
			return seconds(BigDecimal.valueOf(number), value);
		}
		if (value instanceof Boolean bool) {
			// Python's int(True) is 1.
			return Timeout.seconds(bool ? 1 : 0);
		}
		if (value instanceof CharSequence text) {
			String stripped = text.toString().strip();
			// "none" is how the configuration spells never-expire too; Django's template literal is None.
			if (stripped.toLowerCase(Locale.ROOT).equals("none")) {
				return Timeout.NEVER;
			}
			if (PYTHON_INT.matcher(stripped).matches()) {
				return seconds(new BigDecimal(stripped.replace("_", "")), value);
			}
		}
		throw nonInteger(value);
	}

	private static Timeout seconds(BigDecimal number, Object value) {
		BigInteger whole = number.toBigInteger();
		// Past Long.MAX_VALUE seconds nothing ever expires anyway.
		if (whole.bitLength() >= Long.SIZE) {
			if (whole.signum() > 0) {
				return Timeout.NEVER;
			}
			return Timeout.seconds(0);
		}
		return Timeout.seconds(whole.longValue());
	}

	private static TemplateProcessingException nonInteger(Object value) {
		String repr = (value instanceof CharSequence) ? CacheKeys.repr(value.toString()) : String.valueOf(value);
		return new TemplateProcessingException("\"cache\" tag got a non-integer timeout value: " + repr);
	}

}
