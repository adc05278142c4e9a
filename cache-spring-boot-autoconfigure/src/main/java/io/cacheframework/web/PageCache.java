package io.cacheframework.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.cacheframework.core.CacheBackend;
import io.cacheframework.core.Caches;
import io.cacheframework.core.LogRateLimiter;
import io.cacheframework.core.Timeout;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * The page cache shared by {@link FetchFromCacheInterceptor}, {@link UpdateCacheInterceptor} and
 * {@link PageCacheFilter}: Django 6.1's {@code FetchFromCacheMiddleware.process_request} and
 * {@code UpdateCacheMiddleware.process_response}, plus what this library does beyond Django (conditional GET on
 * cached pages, no streaming/async pages, a size limit, an optional host allow-list, no {@code Set-Cookie}
 * responses). A failing cache never fails the request: errors are logged (through a {@link LogRateLimiter}) and the
 * page is served uncached. Storing needs {@link PageCacheFilter}, the only place a response body can be captured;
 * without it stored pages are still served, nothing is stored, and a warning says so once.
 *
 * <p>A page never crosses users: besides Django's rules it never stores a response to a request whose HTTP session
 * was created (or got a new id) while it ran, whoever writes the cookie (Tomcat, Spring Session when the response
 * commits); a page rendered for an authenticated principal (servlet principal, client certificate, Spring
 * Security's {@code SecurityContext}) unless the response is {@code public}, and it serves such a principal only
 * {@code public} pages; a GET or HEAD that carried a body. The request headers that chose the handler or the
 * representation ({@code Accept} for content negotiation, see {@link SelectingHeaders}) are added to {@code Vary},
 * so they are part of the key.
 *
 * @since 0.1.0
 */
public final class PageCache {

	static final String STATE_ATTRIBUTE = PageCache.class.getName() + ".STATE";

	static final String WRAPPER_ATTRIBUTE = PageCache.class.getName() + ".WRAPPER";

	private static final String CLIENT_CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

	private static final boolean SPRING_SECURITY_PRESENT = ClassUtils.isPresent(
			"org.springframework.security.core.context.SecurityContextHolder", PageCache.class.getClassLoader());

	private static final Log logger = LogFactory.getLog(PageCache.class);

	private static final Set<String> UNCACHEABLE_DIRECTIVES = Set.of("private", "no-cache", "no-store");

	private static final Set<String> NOT_STORED_HEADERS = Set.of("content-length", "content-type", "set-cookie",
			"age", "transfer-encoding", "connection");

	private final Supplier<Caches> caches;

	private final PageCacheSettingsResolver resolver;

	private final PageCacheKeys keys;

	private final Clock clock;

	private final long maxBodySize;

	private final Set<String> allowedHosts;

	private final PageCacheRecorder recorder;

	private final SelectingHeaders selectingHeaders;

	private final LogRateLimiter failureLog = new LogRateLimiter();

	private final AtomicBoolean missingFilterLogged = new AtomicBoolean();

	private PageCache(Builder builder) {
		this.caches = Objects.requireNonNull(builder.caches, "caches must be set");
		this.resolver = Objects.requireNonNull(builder.resolver, "resolver must be set");
		this.keys = builder.keys;
		this.clock = builder.clock;
		this.maxBodySize = builder.maxBodySize;
		this.allowedHosts = Set.copyOf(builder.allowedHosts.stream().map((h) -> h.toLowerCase(Locale.ROOT)).toList());
		this.recorder = builder.recorder;
		this.selectingHeaders = builder.selectingHeaders;
	}

	/**
	 * Start building a page cache.
	 * @param caches the caches (resolved on each request, so the bean may be created later)
	 * @param resolver decides which requests are cached and how
	 * @return a builder
	 */
	public static Builder builder(Supplier<Caches> caches, PageCacheSettingsResolver resolver) {
		return new Builder(caches, resolver);
	}

	/**
	 * The largest body stored, in bytes (-1 for no limit).
	 * @return the limit
	 */
	public long maxBodySize() {
		return this.maxBodySize;
	}

	/**
	 * The key scheme.
	 * @return the keys
	 */
	public PageCacheKeys keys() {
		return this.keys;
	}

	/**
	 * The clock that dates {@code Expires} and {@code Age}.
	 * @return the clock
	 */
	public Clock clock() {
		return this.clock;
	}

	/**
	 * Django's {@code FetchFromCacheMiddleware.process_request}.
	 * @param request the request
	 * @param response the response
	 * @param handler the handler
	 * @return {@code false} when a cached page was written
	 */
	boolean fetch(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (request.getDispatcherType() != DispatcherType.REQUEST || request.getAttribute(STATE_ATTRIBUTE) != null) {
			return true;
		}
		PageCacheSettings settings;
		try {
			settings = this.resolver.resolve(request, handler);
		}
		catch (RuntimeException ex) {
			logFailure("resolving the page-cache settings", ex);
			return true;
		}
		if (settings == null) {
			return true;
		}
		String method = request.getMethod();
		State state = new State(settings, request, method, PageCacheKeys.absoluteUri(request), this.keys.suffix());
		request.setAttribute(STATE_ATTRIBUTE, state);
		if (!"GET".equals(method) && !"HEAD".equals(method)) {
			return true;
		}
		// A GET with a body may render from it; storing that page would poison the URL for clean GETs.
		if (hasBody(request) || !hostAllowed(request)) {
			return true;
		}
		try {
			state.authenticated = authenticated(request);
			CacheBackend cache = this.caches.get().get(settings.cacheAlias());
			Object cached = lookup(state, "GET", cache);
			if (cached == null && "HEAD".equals(method)) {
				cached = lookup(state, "HEAD", cache);
			}
			CachedResponse page = (cached instanceof byte[] bytes) ? CachedResponse.fromBytes(bytes)
					: (cached instanceof CachedResponse stored) ? stored : null;
			// A signed-in principal may see another user's page only when it was explicitly public: the key holds
			// no trace of a principal that came from a certificate or a proxy header.
			if (page != null && state.authenticated && !isPublic(page.header("Cache-Control"))) {
				page = null;
			}
			if (page == null) {
				this.recorder.record(settings.cacheAlias(), false);
				state.updateCache = armBufferForStoring(request);
				return true;
			}
			this.recorder.record(settings.cacheAlias(), true);
			serve(page, request, response);
			return false;
		}
		catch (RuntimeException | IOException ex) {
			logFailure("reading a page from the cache", ex);
			if (!response.isCommitted()) {
				response.reset();
			}
			state.updateCache = armBufferForStoring(request);
			return true;
		}
	}

	/**
	 * Make {@link PageCacheFilter}'s wrapper buffer this response.
	 * @return {@code false} when the response cannot be captured: too late to buffer it, or no filter
	 */
	static boolean armBuffer(HttpServletRequest request) {
		return request.getAttribute(WRAPPER_ATTRIBUTE) instanceof PageCachingResponseWrapper buffering
				&& buffering.arm();
	}

	private boolean armBufferForStoring(HttpServletRequest request) {
		if (request.getAttribute(WRAPPER_ATTRIBUTE) == null && this.missingFilterLogged.compareAndSet(false, true)) {
			logger.warn("The page cache found no PageCacheFilter around " + request.getRequestURI() + ": it serves"
					+ " pages already stored but stores none, since a HandlerInterceptor cannot capture a response"
					+ " body; register PageCacheFilter (the auto-configuration does) to store pages");
		}
		return armBuffer(request);
	}

	private static boolean hasBody(HttpServletRequest request) {
		return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
	}

	/**
	 * Whether the request has an authenticated principal, from any source the servlet API or Spring Security
	 * knows: container or Spring Security authentication ({@code getUserPrincipal}, {@code getRemoteUser}), a
	 * TLS client certificate, or an authenticated, non-anonymous {@code SecurityContext}.
	 */
	static boolean authenticated(HttpServletRequest request) {
		if (request.getUserPrincipal() != null || request.getRemoteUser() != null
				|| request.getAttribute(CLIENT_CERTIFICATE_ATTRIBUTE) != null) {
			return true;
		}
		return SPRING_SECURITY_PRESENT && SecurityContextPrincipal.authenticated();
	}

	private static boolean isPublic(@Nullable String cacheControl) {
		return CacheHeaders.directiveNames(cacheControl).contains("public");
	}

	private @Nullable Object lookup(State state, String method, CacheBackend cache) {
		String key = this.keys.getCacheKey(state.request, method, state.absoluteUri, state.suffix,
				state.settings.keyPrefix(), cache);
		return (key != null) ? cache.get(key) : null;
	}

	private void serve(CachedResponse page, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		List<String> headers = page.headers();
		response.setStatus(page.status());
		for (int i = 0; i < headers.size(); i += 2) {
			response.addHeader(headers.get(i), headers.get(i + 1));
		}
		if (page.contentType() != null) {
			response.setContentType(page.contentType());
		}
		Long maxAge = CacheHeaders.getMaxAge(page.header("Cache-Control"));
		Long expires = CacheHeaders.parseHttpDate(page.header("Expires"));
		if (maxAge != null && expires != null) {
			long remaining = expires - this.clock.millis() / 1000;
			response.setHeader("Age", String.valueOf(Math.max(0, maxAge - remaining)));
		}
		if (page.status() == 200 && notModified(request, page)) {
			response.setStatus(304);
			return;
		}
		long length = page.contentLength();
		if (length >= 0) {
			response.setContentLengthLong(length);
		}
		if (!"HEAD".equals(request.getMethod())) {
			response.getOutputStream().write(page.bodyUnsafe());
		}
	}

	/**
	 * Conditional GET against the cached page's validators (RFC 9110 §13.1.1-2: weak comparison for
	 * {@code If-None-Match}; {@code If-Modified-Since} only without {@code If-None-Match}).
	 */
	static boolean notModified(HttpServletRequest request, CachedResponse page) {
		String ifNoneMatch = CacheHeaders.header(request, "If-None-Match");
		String etag = page.header("ETag");
		if (ifNoneMatch != null) {
			if (etag == null) {
				return false;
			}
			String wanted = weak(etag);
			for (String candidate : CacheHeaders.splitHeaderValue(ifNoneMatch)) {
				if (candidate.equals("*") || weak(candidate).equals(wanted)) {
					return true;
				}
			}
			return false;
		}
		Long since = CacheHeaders.parseHttpDate(CacheHeaders.header(request, "If-Modified-Since"));
		Long lastModified = CacheHeaders.parseHttpDate(page.header("Last-Modified"));
		return since != null && lastModified != null && lastModified <= since;
	}

	private static String weak(String etag) {
		String tag = etag.strip();
		return tag.startsWith("W/") ? tag.substring(2) : tag;
	}

	/**
	 * The handler finished (or failed): remember it; {@link #afterFilterChain} stores the page once every filter
	 * inside {@link PageCacheFilter} has written its headers.
	 */
	void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			@Nullable Exception ex) {
		State state = (State) request.getAttribute(STATE_ATTRIBUTE);
		if (state == null || request.getDispatcherType() != DispatcherType.REQUEST) {
			return;
		}
		state.completed = true;
		state.failure = ex;
		if (state.updateCache) {
			// Asked here, inside the DispatcherServlet and the security filters: by the time the page is stored
			// Spring Security has cleared its context and MVC has dropped the parsed request path.
			try {
				state.authenticated |= authenticated(request);
				state.selectingHeaders = this.selectingHeaders.headers(request, handler);
			}
			catch (RuntimeException failure) {
				logFailure("inspecting a page before storing it", failure);
				state.updateCache = false;
			}
		}
	}

	/**
	 * The handler went asynchronous (DeferredResult, StreamingResponseBody, SSE): never cached.
	 */
	void asyncStarted(HttpServletRequest request) {
		State state = (State) request.getAttribute(STATE_ATTRIBUTE);
		if (state != null) {
			state.updateCache = false;
		}
		if (request.getAttribute(WRAPPER_ATTRIBUTE) instanceof PageCachingResponseWrapper wrapper) {
			try {
				wrapper.passThrough();
			}
			catch (IOException ex) {
				logFailure("starting to stream an asynchronous response", ex);
			}
		}
	}

	/**
	 * Called by the filter after the whole chain ran.
	 */
	void afterFilterChain(HttpServletRequest request, PageCachingResponseWrapper wrapper) {
		State state = (State) request.getAttribute(STATE_ATTRIBUTE);
		if (state != null && state.completed) {
			update(state, wrapper);
		}
	}

	/**
	 * Django's {@code UpdateCacheMiddleware.process_response}.
	 */
	private void update(State state, PageCachingResponseWrapper response) {
		try {
			doUpdate(state, response);
		}
		catch (RuntimeException ex) {
			logFailure("storing a page in the cache", ex);
		}
	}

	private void doUpdate(State state, PageCachingResponseWrapper response) {
		if (!state.updateCache || state.failure != null || state.request.isAsyncStarted() || !response.isStorable()) {
			return;
		}
		int status = response.getStatus();
		if (status != 200 && status != 304) {
			return;
		}
		// Django refuses a Set-Cookie response only when it varies on Cookie; a servlet session or CSRF cookie
		// never adds Vary: Cookie, so any Set-Cookie response stays out of the cache.
		if (response.containsHeader("Set-Cookie")) {
			return;
		}
		// A session created here means a cookie for this visitor only, written by whoever owns the session:
		// Tomcat on its own response object, Spring Session (outside this filter) when the response commits.
		if (sessionStartedDuring(state.request)) {
			return;
		}
		String cacheControl = CacheHeaders.header(response, "Cache-Control");
		Set<String> directives = CacheHeaders.directiveNames(cacheControl);
		if (directives.stream().anyMatch(UNCACHEABLE_DIRECTIVES::contains)) {
			return;
		}
		for (String header : state.selectingHeaders) {
			CacheHeaders.patchVaryHeaders(response, header);
		}
		if (CacheHeaders.hasVaryHeader(response, "*")) {
			return;
		}
		// Nothing in the key tells principals apart when the principal came from a client certificate, a proxy
		// header or a session; only a page the application declared public may be shared.
		if ((state.authenticated || authenticated(state.request)) && !directives.contains("public")) {
			return;
		}
		PageCacheSettings settings = state.settings;
		long timeout;
		if (settings.pageTimeout() != null) {
			timeout = settings.pageTimeout();
		}
		else {
			// A shared cache obeys s-maxage over max-age (RFC 9111 §5.2.2.10); Django ignores s-maxage.
			Long sMaxAge = sMaxAge(cacheControl);
			Long maxAge = (sMaxAge != null) ? sMaxAge : CacheHeaders.getMaxAge(cacheControl);
			if (maxAge == null) {
				timeout = settings.cacheTimeout();
			}
			else if (maxAge == 0) {
				return;
			}
			else {
				timeout = maxAge;
			}
		}
		CacheHeaders.patchResponseHeaders(response, timeout, this.clock);
		boolean isPublic = CacheHeaders.directiveNames(CacheHeaders.header(response, "Cache-Control"))
			.contains("public");
		if (state.request.getHeader("Authorization") != null && !isPublic) {
			CacheHeaders.patchVaryHeaders(response, "Authorization");
		}
		// Django's SessionMiddleware adds Vary: Cookie when the session is used; a servlet session does not.
		if (!isPublic && state.request.getSession(false) != null) {
			CacheHeaders.patchVaryHeaders(response, "Cookie");
		}
		if (timeout == 0 || status != 200) {
			return;
		}
		byte[] body = response.body();
		if (this.maxBodySize >= 0 && body.length > this.maxBodySize) {
			return;
		}
		if (!response.containsHeader("ETag") && !response.containsHeader("Last-Modified")) {
			response.setHeader("ETag", "\"" + md5(body) + "\"");
		}
		CacheBackend cache = this.caches.get().get(settings.cacheAlias());
		String key = this.keys.learnCacheKey(state.request, state.method, state.absoluteUri, state.suffix,
				CacheHeaders.header(response, "Vary"), timeout, settings.keyPrefix(), cache);
		cache.set(key, toCachedResponse(response, body, response.declaredLength()).toBytes(),
				Timeout.seconds(timeout));
	}

	/**
	 * Whether the request's HTTP session was created, or got a new id, while the request ran. Asked through the
	 * request the handler saw, so a session repository's wrapper (Spring Session) answers, not only the container.
	 */
	private static boolean sessionStartedDuring(HttpServletRequest request) {
		try {
			HttpSession session = request.getSession(false);
			if (session == null) {
				return false;
			}
			String requested = request.getRequestedSessionId();
			// A new id for the visitor's session (changeSessionId) is a new cookie as well.
			return session.isNew() || (requested != null && !requested.equals(session.getId()));
		}
		catch (IllegalStateException ex) {
			// Invalidated while we asked: the visitor's cookie changes, so not storable either.
			return true;
		}
	}

	private static @Nullable Long sMaxAge(@Nullable String cacheControl) {
		if (cacheControl == null) {
			return null;
		}
		Long value = null;
		for (String field : CacheHeaders.splitHeaderValue(cacheControl)) {
			int eq = field.indexOf('=');
			if (eq > 0 && field.substring(0, eq).strip().equalsIgnoreCase("s-maxage")) {
				value = CacheHeaders.parseInteger(field.substring(eq + 1));
			}
		}
		return value;
	}

	private static CachedResponse toCachedResponse(HttpServletResponse response, byte[] body, long declaredLength) {
		List<String> headers = new ArrayList<>();
		for (String name : new ArrayList<>(response.getHeaderNames())) {
			if (NOT_STORED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
				continue;
			}
			Collection<String> values = response.getHeaders(name);
			for (String value : values) {
				headers.add(name);
				headers.add(value);
			}
		}
		return new CachedResponse(response.getStatus(), headers, response.getContentType(), body,
				(body.length == 0) ? declaredLength : -1);
	}

	private boolean hostAllowed(HttpServletRequest request) {
		if (this.allowedHosts.isEmpty()) {
			return true;
		}
		String host = request.getServerName().toLowerCase(Locale.ROOT);
		for (String allowed : this.allowedHosts) {
			if (allowed.equals("*") || allowed.equals(host)
					|| (allowed.startsWith(".") && (host.endsWith(allowed) || host.equals(allowed.substring(1))))) {
				return true;
			}
		}
		return false;
	}

	private void logFailure(String what, Exception ex) {
		long suppressed = this.failureLog.record(this.clock.millis());
		if (suppressed >= 0) {
			logger.warn("Page cache failed " + what + "; the page is served uncached"
					+ LogRateLimiter.suppressedNote(suppressed), ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Page cache failed " + what, ex);
		}
	}

	private static String md5(byte[] body) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What Fetch learned about a request, for Update (Django keeps it on {@code request._cache_update_cache}).
	 */
	static final class State {

		final PageCacheSettings settings;

		final HttpServletRequest request;

		final String method;

		final String absoluteUri;

		final String suffix;

		volatile boolean updateCache;

		volatile boolean completed;

		volatile @Nullable Exception failure;

		volatile boolean authenticated;

		volatile Collection<String> selectingHeaders = List.of();

		State(PageCacheSettings settings, HttpServletRequest request, String method, String absoluteUri,
				String suffix) {
			this.settings = settings;
			this.request = request;
			this.method = method;
			this.absoluteUri = absoluteUri;
			this.suffix = suffix;
		}

	}

	/**
	 * Builds a {@link PageCache}.
	 */
	public static final class Builder {

		private final Supplier<Caches> caches;

		private final PageCacheSettingsResolver resolver;

		private PageCacheKeys keys = PageCacheKeys.DEFAULT;

		private Clock clock = Clock.systemUTC();

		private long maxBodySize = 1024 * 1024;

		private Collection<String> allowedHosts = List.of();

		private PageCacheRecorder recorder = PageCacheRecorder.NONE;

		private SelectingHeaders selectingHeaders = SelectingHeaders.fromAnnotations();

		private Builder(Supplier<Caches> caches, PageCacheSettingsResolver resolver) {
			this.caches = caches;
			this.resolver = resolver;
		}

		/**
		 * The key scheme (locale and time-zone suffixes).
		 * @param keys the keys
		 * @return this builder
		 */
		public Builder keys(PageCacheKeys keys) {
			this.keys = keys;
			return this;
		}

		/**
		 * The clock for {@code Expires} and {@code Age}.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		/**
		 * The largest body stored, in bytes; larger pages are streamed and not stored. -1 = no limit.
		 * @param maxBodySize the limit
		 * @return this builder
		 */
		public Builder maxBodySize(long maxBodySize) {
			this.maxBodySize = maxBodySize;
			return this;
		}

		/**
		 * Hosts whose pages may be cached (Django's {@code ALLOWED_HOSTS} syntax: exact names, {@code .example.com}
		 * for a domain and its subdomains, {@code *}); empty = any host. Pages for other hosts are served uncached.
		 * @param allowedHosts the hosts
		 * @return this builder
		 */
		public Builder allowedHosts(Collection<String> allowedHosts) {
			this.allowedHosts = List.copyOf(allowedHosts);
			return this;
		}

		/**
		 * Tell a recorder of each lookup, a hit or a miss.
		 * @param recorder the recorder
		 * @return this builder
		 */
		public Builder recorder(PageCacheRecorder recorder) {
			this.recorder = Objects.requireNonNull(recorder, "recorder must not be null");
			return this;
		}

		/**
		 * How to find the request headers that chose a page's handler or representation (added to its
		 * {@code Vary}). The default reads the handler method's own mapping annotations; the auto-configuration
		 * uses every request mapping and message converter of the application.
		 * @param selectingHeaders the headers
		 * @return this builder
		 */
		public Builder selectingHeaders(SelectingHeaders selectingHeaders) {
			this.selectingHeaders = Objects.requireNonNull(selectingHeaders, "selectingHeaders must not be null");
			return this;
		}

		/**
		 * Build the page cache.
		 * @return the page cache
		 */
		public PageCache build() {
			return new PageCache(this);
		}

	}

	/**
	 * Spring Security's view of the current principal; only loaded when Spring Security is on the classpath.
	 */
	private static final class SecurityContextPrincipal {

		static boolean authenticated() {
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			return authentication != null && authentication.isAuthenticated()
					&& !(authentication instanceof AnonymousAuthenticationToken);
		}

	}

}
