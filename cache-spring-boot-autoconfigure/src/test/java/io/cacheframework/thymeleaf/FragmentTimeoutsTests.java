package io.cacheframework.thymeleaf;

import java.math.BigDecimal;
import java.math.BigInteger;

import io.cacheframework.core.Timeout;
import org.junit.jupiter.api.Test;
import org.thymeleaf.exceptions.TemplateProcessingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Django's timeout rules for the {@code cache} tag (CONFORMANCE item 79): {@code None} never expires, everything else
 * goes through Python's {@code int()}.
 */
class FragmentTimeoutsTests {

	@Test
	void nullAndNoneNeverExpire() {
		assertThat(FragmentTimeouts.of(null)).isEqualTo(Timeout.NEVER);
		assertThat(FragmentTimeouts.of("none")).isEqualTo(Timeout.NEVER);
		assertThat(FragmentTimeouts.of("None")).isEqualTo(Timeout.NEVER);
	}

	@Test
	void integersAreSeconds() {
		assertThat(FragmentTimeouts.of(500)).isEqualTo(Timeout.seconds(500));
		assertThat(FragmentTimeouts.of(500L)).isEqualTo(Timeout.seconds(500));
		assertThat(FragmentTimeouts.of((short) 5)).isEqualTo(Timeout.seconds(5));
		assertThat(FragmentTimeouts.of(BigInteger.valueOf(42))).isEqualTo(Timeout.seconds(42));
	}

	@Test
	void stringsAreParsedAsPythonsIntParsesThem() {
		assertThat(FragmentTimeouts.of("60")).isEqualTo(Timeout.seconds(60));
		assertThat(FragmentTimeouts.of(" 60\n")).isEqualTo(Timeout.seconds(60));
		assertThat(FragmentTimeouts.of("+7")).isEqualTo(Timeout.seconds(7));
		assertThat(FragmentTimeouts.of("-1")).isEqualTo(Timeout.seconds(-1));
		assertThat(FragmentTimeouts.of("0060")).isEqualTo(Timeout.seconds(60));
		assertThat(FragmentTimeouts.of("1_000")).isEqualTo(Timeout.seconds(1000));
	}

	@Test
	void floatsAreTruncatedTowardsZero() {
		assertThat(FragmentTimeouts.of(60.9)).isEqualTo(Timeout.seconds(60));
		assertThat(FragmentTimeouts.of(-1.5f)).isEqualTo(Timeout.seconds(-1));
		assertThat(FragmentTimeouts.of(new BigDecimal("2.99"))).isEqualTo(Timeout.seconds(2));
	}

	@Test
	void booleansAreOneAndZeroAsInPython() {
		assertThat(FragmentTimeouts.of(true)).isEqualTo(Timeout.seconds(1));
		assertThat(FragmentTimeouts.of(false)).isEqualTo(Timeout.seconds(0));
	}

	@Test
	void hugeValuesNeverExpire() {
		assertThat(FragmentTimeouts.of(new BigInteger("99999999999999999999999"))).isEqualTo(Timeout.NEVER);
		assertThat(FragmentTimeouts.of(1e300)).isEqualTo(Timeout.NEVER);
	}

	@Test
	void nonIntegersAreTemplateErrorsWithDjangosMessage() {
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of("fail"))
			.withMessage("\"cache\" tag got a non-integer timeout value: 'fail'");
		// Django's undefined variable resolves to '' and fails the same way.
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of(""))
			.withMessage("\"cache\" tag got a non-integer timeout value: ''");
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of("6.5"))
			.withMessageContaining("'6.5'");
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of("1__0"))
			.withMessageContaining("'1__0'");
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of(Double.NaN))
			.withMessageContaining("NaN");
		assertThatExceptionOfType(TemplateProcessingException.class)
			.isThrownBy(() -> FragmentTimeouts.of(java.util.List.of(1)))
			.withMessageContaining("[1]");
	}

	@Test
	void theValueInTheMessageIsQuotedLikePythonsRepr() {
		assertThatExceptionOfType(TemplateProcessingException.class).isThrownBy(() -> FragmentTimeouts.of("it's\n"))
			.withMessageEndingWith("\"it's\\n\"");
	}

}
