/**
 * Auto-configuration of page caching for Spring MVC.
 */
package io.cacheframework.autoconfigure.web;
