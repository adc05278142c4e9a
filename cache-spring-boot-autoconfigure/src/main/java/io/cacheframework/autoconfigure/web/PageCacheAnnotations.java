package io.cacheframework.autoconfigure.web;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;

import io.cacheframework.web.CacheControl;
import io.cacheframework.web.CachePage;
import io.cacheframework.web.NeverCache;
import io.cacheframework.web.VaryOnCookie;
import io.cacheframework.web.VaryOnHeaders;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.stereotype.Controller;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Whether any controller of the application uses {@code @CachePage} or a header annotation, read from the bean
 * definitions (no bean is created) when the servlet container starts, to decide whether the page-cache filter is
 * registered at all.
 */
final class PageCacheAnnotations {

	private static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(CachePage.class,
			VaryOnHeaders.class, VaryOnCookie.class, CacheControl.class, NeverCache.class);

	private PageCacheAnnotations() {
	}

	/**
	 * Whether a controller bean carries one of the annotations, on its class or a method (inherited ones
	 * included, as the interceptors find them). A bean whose type cannot be told counts as one: the filter is
	 * then registered, which costs little, rather than pages silently not cached.
	 */
	static boolean usedByAController(ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type;
			try {
				type = beanFactory.getType(name, false);
			}
			catch (RuntimeException ex) {
				return true;
			}
			if (type != null && isController(ClassUtils.getUserClass(type))
					&& annotated(ClassUtils.getUserClass(type))) {
				return true;
			}
		}
		return false;
	}

	private static boolean isController(Class<?> type) {
		return AnnotatedElementUtils.hasAnnotation(type, Controller.class)
				|| AnnotatedElementUtils.hasAnnotation(type, RequestMapping.class);
	}

	private static boolean annotated(Class<?> type) {
		for (Class<? extends Annotation> annotation : ANNOTATIONS) {
			if (AnnotatedElementUtils.hasAnnotation(type, annotation)) {
				return true;
			}
		}
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
			for (Class<? extends Annotation> annotation : ANNOTATIONS) {
				if (AnnotatedElementUtils.hasAnnotation(method, annotation)) {
					return true;
				}
			}
		}
		return false;
	}

}
