package io.cacheframework.actuate;

import java.util.Map;

import io.cacheframework.core.CacheBackend;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * HTTP status codes for {@link CacheBackendsEndpoint}: 404 for an unknown alias on every operation (a delete would
 * otherwise answer 204), 400 for a key listing limit below 1, 204 after clearing.
 *
 * @since 0.1.0
 */
@EndpointWebExtension(endpoint = CacheBackendsEndpoint.class)
public class CacheBackendsEndpointWebExtension {

	private final CacheBackendsEndpoint delegate;

	/**
	 * Create the extension.
	 * @param delegate the endpoint
	 */
	public CacheBackendsEndpointWebExtension(CacheBackendsEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Stored keys of an alias, without values.
	 * @param alias the alias
	 * @param segment must be {@code keys}
	 * @param limit the most keys to list (default 100, at most 10000)
	 * @return 200 with {@code {"keys": [...]}}, 400 for a limit below 1, 404 for an unknown alias or path
	 */
	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> keys(@Selector String alias, @Selector String segment,
			@Nullable Integer limit) {
		CacheBackend backend = this.delegate.find(alias);
		if (backend == null || !CacheBackendsEndpoint.KEYS_SEGMENT.equals(segment)) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		if (limit != null && limit < 1) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		return new WebEndpointResponse<>(this.delegate.listKeys(backend, CacheBackendsEndpoint.clampLimit(limit)));
	}

	/**
	 * Clear an alias.
	 * @param alias the alias
	 * @return 204 when cleared, 404 for an unknown alias
	 */
	@DeleteOperation
	public WebEndpointResponse<Void> clear(@Selector String alias) {
		return new WebEndpointResponse<>(this.delegate.clear(alias) ? WebEndpointResponse.STATUS_NO_CONTENT
				: WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
