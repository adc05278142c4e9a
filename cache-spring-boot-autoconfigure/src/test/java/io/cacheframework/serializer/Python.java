package io.cacheframework.serializer;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's Python 3 ({@code /usr/bin/python3}, not whatever {@code python3} is first on the PATH) in isolated
 * mode on a script from the test resources, with text on stdin; fails the test on a non-zero exit. Public for the
 * interop tests of other packages (the Django peers).
 */
public final class Python {

	static final String PYTHON = "/usr/bin/python3";

	private Python() {
	}

	static List<String> run(String resource, String stdin, String... args) throws IOException, InterruptedException {
		return run(Python.class, resource, stdin, args);
	}

	/**
	 * Run a script and return what it printed.
	 * @param owner the class whose package holds the script among the test resources
	 * @param resource the script's name
	 * @param stdin the text on its standard input
	 * @param args its arguments
	 * @return its standard output, line by line
	 * @throws IOException if the process cannot be run
	 * @throws InterruptedException if interrupted while waiting for it
	 */
	public static List<String> run(Class<?> owner, String resource, String stdin, String... args)
			throws IOException, InterruptedException {
		Path script;
		try {
			script = Path.of(owner.getResource(resource).toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		List<String> command = new ArrayList<>(List.of(PYTHON, "-I", script.toString()));
		command.addAll(List.of(args));
		return exec(command, stdin);
	}

	static List<String> exec(List<String> command, String stdin) throws IOException, InterruptedException {
		Path out = Files.createTempFile("python-out", ".txt");
		Path err = Files.createTempFile("python-err", ".txt");
		Path in = Files.createTempFile("python-in", ".txt");
		try {
			Files.writeString(in, stdin, StandardCharsets.UTF_8);
			Process process = new ProcessBuilder(command).redirectInput(in.toFile())
				.redirectOutput(out.toFile())
				.redirectError(err.toFile())
				.start();
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("Python did not finish within 120 s: " + command);
			}
			if (process.exitValue() != 0) {
				throw new AssertionError("Python exited with " + process.exitValue() + ": " + command + "\n"
						+ Files.readString(out) + Files.readString(err));
			}
			return Files.readAllLines(out, StandardCharsets.UTF_8);
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
			Files.deleteIfExists(in);
		}
	}

}
