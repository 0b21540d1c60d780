package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /api/v1/client/dynamic_config} (0.25.0): {@code {"sdk_version": ...}}. */
public record DynamicConfigRequest(@JsonProperty("sdk_version") String sdkVersion) {}
