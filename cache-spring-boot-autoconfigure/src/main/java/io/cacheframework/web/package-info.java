/**
 * Page caching, Django's {@code django.middleware.cache}, {@code django.utils.cache} and
 * {@code django.views.decorators.cache}/{@code vary}: the site-wide interceptor pair
 * ({@link io.cacheframework.web.FetchFromCacheInterceptor}, {@link io.cacheframework.web.UpdateCacheInterceptor})
 * with the response-capturing {@link io.cacheframework.web.PageCacheFilter}, the per-view annotations and the
 * header utilities ({@link io.cacheframework.web.CacheHeaders}).
 */
@NullMarked
package io.cacheframework.web;

import org.jspecify.annotations.NullMarked;
