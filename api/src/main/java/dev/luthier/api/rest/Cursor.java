package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Paging of REST lists: {@code {"offset", "limit", "total_count"}}. */
public record Cursor(
    @JsonProperty(value = "offset", required = true) int offset,
    @JsonProperty(value = "limit", required = true) int limit,
    @JsonProperty(value = "total_count", required = true) long totalCount) {}
