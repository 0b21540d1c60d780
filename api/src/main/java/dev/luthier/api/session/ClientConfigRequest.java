package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /api/v1/client/config} (SDK ≥0.18.0, first call): {@code {"sdk_version": "0.24.1"}}. */
public record ClientConfigRequest(@JsonProperty("sdk_version") String sdkVersion) {}
