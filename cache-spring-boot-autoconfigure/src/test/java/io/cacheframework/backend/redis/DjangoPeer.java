package io.cacheframework.backend.redis;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.jayway.jsonpath.JsonPath;

/**
 * A Django 6.1 {@code RedisCache} in a Python process ({@code django_redis_peer.py}, on Debian's
 * {@code /usr/bin/python3} and {@code python3-redis}): each {@link #run} sends a batch of requests, one JSON object a
 * line, and returns the answers. Values travel typed: {@code {"t": "str", "v": ...}}, {@code int} as decimal text,
 * {@code bytes} as hex, {@code dict} and {@code list} nested.
 */
final class DjangoPeer {

	static final String PYTHON = "/usr/bin/python3";

	private final String location;

	private final String keyPrefix;

	private final int version;

	DjangoPeer(String location, String keyPrefix, int version) {
		this.location = location;
		this.keyPrefix = keyPrefix;
		this.version = version;
	}

	/**
	 * Run requests in one Python process.
	 * @param requests JSON objects, e.g. from {@link #op}
	 * @return one answer per request: {@code {"ok": typed}} or {@code {"error": "..."}} as maps
	 */
	List<Map<String, Object>> run(String... requests) {
		Path script;
		try {
			script = Path.of(DjangoPeer.class.getResource("django_redis_peer.py").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		try {
			Path in = Files.createTempFile("peer-in", ".jsonl");
			Path out = Files.createTempFile("peer-out", ".jsonl");
			Path err = Files.createTempFile("peer-err", ".txt");
			try {
				Files.writeString(in, String.join("\n", requests) + "\n", StandardCharsets.UTF_8);
				Process process = new ProcessBuilder(PYTHON, "-I", script.toString(), this.location, this.keyPrefix,
						Integer.toString(this.version))
					.redirectInput(in.toFile())
					.redirectOutput(out.toFile())
					.redirectError(err.toFile())
					.start();
				if (!process.waitFor(60, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					throw new AssertionError("the Django peer did not finish within 60 s");
				}
				if (process.exitValue() != 0) {
					throw new AssertionError("the Django peer exited with " + process.exitValue() + ":\n"
							+ Files.readString(err));
				}
				List<Map<String, Object>> answers = new ArrayList<>();
				for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
					answers.add(JsonPath.read(line, "$"));
				}
				if (answers.size() != requests.length) {
					throw new AssertionError("expected " + requests.length + " answers, got " + answers + "\n"
							+ Files.readString(err));
				}
				return answers;
			}
			finally {
				Files.deleteIfExists(in);
				Files.deleteIfExists(out);
				Files.deleteIfExists(err);
			}
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/** One answer's typed result; fails if the request raised. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> ok(Map<String, Object> answer) {
		if (!answer.containsKey("ok")) {
			throw new AssertionError("the Django peer raised: " + answer.get("error"));
		}
		return (Map<String, Object>) answer.get("ok");
	}

	/** A request, e.g. {@code op("set", "key", "k", "value", str("v"))}: string fields quoted, typed ones as given. */
	static String op(String op, Object... fields) {
		StringBuilder json = new StringBuilder("{\"op\": ").append(quote(op));
		for (int i = 0; i < fields.length; i += 2) {
			json.append(", ").append(quote((String) fields[i])).append(": ");
			Object value = fields[i + 1];
			json.append((value instanceof Typed typed) ? typed.json : (value instanceof String text) ? quote(text)
					: String.valueOf(value));
		}
		return json.append('}').toString();
	}

	static Typed str(String value) {
		return new Typed("{\"t\": \"str\", \"v\": " + quote(value) + "}");
	}

	static Typed integer(String decimal) {
		return new Typed("{\"t\": \"int\", \"v\": " + quote(decimal) + "}");
	}

	static Typed bytes(byte[] value) {
		return new Typed("{\"t\": \"bytes\", \"v\": " + quote(HexFormat.of().formatHex(value)) + "}");
	}

	static Typed bool(boolean value) {
		return new Typed("{\"t\": \"bool\", \"v\": " + value + "}");
	}

	static Typed decimalFloat(String value) {
		return new Typed("{\"t\": \"float\", \"v\": " + quote(value) + "}");
	}

	static Typed none() {
		return new Typed("{\"t\": \"none\"}");
	}

	static Typed timeout(String value) {
		return new Typed("{\"t\": \"timeout\", \"v\": " + (value.equals("default") ? "\"default\"" : value) + "}");
	}

	static Typed list(Typed... items) {
		return new Typed("{\"t\": \"list\", \"v\": ["
				+ java.util.Arrays.stream(items).map((item) -> item.json).collect(Collectors.joining(", ")) + "]}");
	}

	static Typed dict(Map<String, Typed> items) {
		return new Typed("{\"t\": \"dict\", \"v\": {" + items.entrySet()
			.stream()
			.map((entry) -> quote(entry.getKey()) + ": " + entry.getValue().json)
			.collect(Collectors.joining(", ")) + "}}");
	}

	static Typed raw(String json) {
		return new Typed(json);
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			if (c == '"' || c == '\\') {
				quoted.append('\\').append(c);
			}
			else if (c < 0x20 || c > 0x7e) {
				quoted.append(String.format("\\u%04x", (int) c));
			}
			else {
				quoted.append(c);
			}
		}
		return quoted.append('"').toString();
	}

	/** A typed value or a raw JSON fragment. */
	record Typed(String json) {
	}

}
