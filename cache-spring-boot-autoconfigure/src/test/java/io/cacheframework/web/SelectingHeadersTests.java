package io.cacheframework.web;

import java.awt.image.BufferedImage;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.BufferedImageHttpMessageConverter;
import org.springframework.http.converter.ByteArrayHttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.StringHttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.method.HandlerMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code @ResponseBody} values Spring writes in a format chosen by {@code Accept}, with Spring's real
 * converters in Boot's order.
 */
class SelectingHeadersTests {

	private final List<HttpMessageConverter<?>> converters = List.of(new ByteArrayHttpMessageConverter(),
			new StringHttpMessageConverter(), new BufferedImageHttpMessageConverter(),
			new JacksonJsonHttpMessageConverter());

	private boolean severalFormats(String method) throws NoSuchMethodException {
		HandlerMethod handler = new HandlerMethod(new Bodies(), Bodies.class.getDeclaredMethod(method));
		return SelectingHeaders.writesSeveralFormats(handler, this.converters);
	}

	@Test
	void oneFormatWhateverTheAcceptHeader() throws Exception {
		// The String converter takes any media type, so it always wins: one body, whatever Accept says.
		assertThat(severalFormats("text")).isFalse();
		assertThat(severalFormats("bytes")).isFalse();
		// Only Jackson writes a record: JSON (application/*+json is a family, not a second format).
		assertThat(severalFormats("json")).isFalse();
		assertThat(severalFormats("jsonEntity")).isFalse();
		assertThat(severalFormats("view")).isFalse();
	}

	@Test
	void severalFormatsChosenByAccept() throws Exception {
		assertThat(severalFormats("image")).isTrue();
		assertThat(severalFormats("imageEntity")).isTrue();
	}

	record Point(int x, int y) {
	}

	static class Bodies {

		@ResponseBody
		String text() {
			return "";
		}

		@ResponseBody
		byte[] bytes() {
			return new byte[0];
		}

		@ResponseBody
		Point json() {
			return new Point(1, 2);
		}

		ResponseEntity<Point> jsonEntity() {
			return ResponseEntity.ok(new Point(1, 2));
		}

		String view() {
			return "view";
		}

		@ResponseBody
		BufferedImage image() {
			return new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
		}

		ResponseEntity<BufferedImage> imageEntity() {
			return ResponseEntity.ok(image());
		}

	}

}
