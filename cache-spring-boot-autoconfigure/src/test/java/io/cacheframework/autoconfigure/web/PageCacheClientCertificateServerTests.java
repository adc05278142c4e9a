package io.cacheframework.autoconfigure.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.cacheframework.web.CachePage;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 item 4 with a real TLS client certificate: Tomcat asks for one ({@code client-auth: want}) and the page
 * is rendered from the certificate alone (no Spring Security, no session, no {@code Authorization}). Alice and Bob
 * each have their own certificate and their own {@link HttpClient}; the keys are made by the JDK's
 * {@code keytool} for this run.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		classes = PageCacheClientCertificateServerTests.CertificateApp.class,
		properties = { "app.caches.default.location=page-cache-client-certificate-tests", "server.ssl.enabled=true",
				"server.ssl.client-auth=want", "server.ssl.key-alias=server", "server.ssl.key-store-type=PKCS12",
				"server.ssl.key-store-password=secret", "server.ssl.trust-store-type=PKCS12",
				"server.ssl.trust-store-password=secret" })
class PageCacheClientCertificateServerTests {

	private static final String PASSWORD = "secret";

	private static Path keys;

	@LocalServerPort
	private int port;

	/**
	 * One PKCS12 store with three key pairs, the server's, Alice's and Bob's (three keytool runs, each a JVM start,
	 * so the test stays short), and a trust store of their three certificates, written here.
	 */
	@DynamicPropertySource
	static void keyStores(DynamicPropertyRegistry registry) throws Exception {
		keys = Files.createTempDirectory("page-cache-tls");
		for (String name : List.of("server", "alice", "bob")) {
			String dname = name.equals("server") ? "CN=localhost" : "CN=" + name;
			keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
					"-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store(),
					"-storepass", PASSWORD);
		}
		KeyStore all = load(store());
		KeyStore trusted = KeyStore.getInstance("PKCS12");
		trusted.load(null, null);
		for (String name : List.of("server", "alice", "bob")) {
			trusted.setCertificateEntry(name, all.getCertificate(name));
		}
		try (OutputStream out = Files.newOutputStream(Path.of(trustStore()))) {
			trusted.store(out, PASSWORD.toCharArray());
		}
		registry.add("server.ssl.key-store", () -> "file:" + store());
		registry.add("server.ssl.trust-store", () -> "file:" + trustStore());
	}

	private static String trustStore() {
		return keys.resolve("trust.p12").toString();
	}

	private static KeyStore load(String file) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(Path.of(file))) {
			store.load(in, PASSWORD.toCharArray());
		}
		return store;
	}

	@AfterAll
	static void deleteKeys() throws IOException {
		try (Stream<Path> files = Files.list(keys)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(keys);
	}

	private static String store() {
		return keys.resolve("keys.p12").toString();
	}

	private static void keytool(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
	}

	/**
	 * A visitor with its own TLS client: only the named key pair (or none), trusting the server.
	 */
	private HttpResponse<String> visit(@Nullable String certificate) throws Exception {
		KeyStore all = load(store());
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(load(trustStore()));
		KeyManager[] keyManagers = null;
		if (certificate != null) {
			KeyStore own = KeyStore.getInstance("PKCS12");
			own.load(null, null);
			own.setKeyEntry(certificate, all.getKey(certificate, PASSWORD.toCharArray()), PASSWORD.toCharArray(),
					all.getCertificateChain(certificate));
			KeyManagerFactory key = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			key.init(own, PASSWORD.toCharArray());
			keyManagers = key.getKeyManagers();
		}
		SSLContext tls = SSLContext.getInstance("TLS");
		tls.init(keyManagers, trust.getTrustManagers(), null);
		HttpClient visitor = HttpClient.newBuilder().sslContext(tls).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + this.port + "/tls/account"))
			.build();
		return visitor.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void pageRenderedForAClientCertificateIsNeverShared() throws Exception {
		assertThat(visit("alice").body()).isEqualTo("account of CN=alice");
		assertThat(visit("bob").body()).isEqualTo("account of CN=bob");
		assertThat(visit(null).body()).isEqualTo("account of nobody");
		assertThat(visit("alice").body()).isEqualTo("account of CN=alice");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Account.class)
	static class CertificateApp {

	}

	@RestController
	static class Account {

		@GetMapping("/tls/account")
		@CachePage(60)
		String account(HttpServletRequest request) {
			X509Certificate[] chain = (X509Certificate[]) request
				.getAttribute("jakarta.servlet.request.X509Certificate");
			return "account of " + ((chain != null) ? chain[0].getSubjectX500Principal().getName() : "nobody");
		}

	}

}
