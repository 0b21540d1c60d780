package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"refresh_interval_sec": 300}}; the SDK re-fetches every max(interval, 10) s. */
public record DynamicConfigResponse(@JsonProperty("refresh_interval_sec") Integer refreshIntervalSec) {}
