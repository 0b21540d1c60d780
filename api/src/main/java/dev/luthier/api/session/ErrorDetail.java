package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of an HTTP error (4xx/5xx): {@code {"detail": "..."}}. Always send one with a 400: the
 * SDK takes an empty-bodied 400 for a proxy glitch and retries.
 */
public record ErrorDetail(@JsonProperty("detail") String detail) {}
