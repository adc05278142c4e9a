package io.cacheframework.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Keys of cached template fragments, as Django 6.1's {@code make_template_fragment_key} makes them:
 * {@code template.cache.<name>.<md5>} where the MD5 runs over each vary-on value as a netstring
 * ({@code <byte length>:<utf-8 bytes>,}), so {@code ["a:b"]} and {@code ["a", "b"]} never share a key.
 *
 * <pre class="code">
 * caches.get("default").delete(TemplateFragmentKeys.make("sidebar", List.of(username)));
 * </pre>
 *
 * @since 0.1.0
 */
public final class TemplateFragmentKeys {

	private static final String PREFIX = "template.cache.";

	private TemplateFragmentKeys() {
	}

	/**
	 * Make a fragment key (the caller's key; the backend adds prefix and version).
	 * @param fragmentName the fragment's literal name
	 * @param varyOn the values the fragment varies on; each becomes text with {@link String#valueOf(Object)},
	 * {@code null} as {@code ""} (Django's unresolved variable)
	 * @return the key, e.g. {@code template.cache.sidebar.05dd87334169c1d75c62bb688057ee57}
	 */
	public static String make(String fragmentName, @Nullable List<?> varyOn) {
		MessageDigest md5 = md5();
		if (varyOn != null) {
			for (Object value : varyOn) {
				// UTF-8 as Django's; a lone surrogate gets bytes of its own instead of '?', so "a" + U+D800 and "a?"
				// never share a fragment (Django cannot encode such a value at all and fails the render).
				byte[] data = CacheKeys.utf8Bytes((value != null) ? String.valueOf(value) : "");
				md5.update((data.length + ":").getBytes(StandardCharsets.US_ASCII));
				md5.update(data);
				md5.update((byte) ',');
			}
		}
		return PREFIX + fragmentName + '.' + HexFormat.of().formatHex(md5.digest());
	}

	private static MessageDigest md5() {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is required by every Java platform", ex);
		}
	}

}
