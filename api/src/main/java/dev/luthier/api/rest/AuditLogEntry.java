package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.time.Instant;

/** {@code {"timestamp", "event", "model_id"?, "tinker_path"?, "purpose"?}}. */
public record AuditLogEntry(
    @JsonProperty(value = "timestamp", required = true) Instant timestamp,
    @JsonProperty(value = "event", required = true) String event,
    @JsonProperty("model_id") String modelId,
    @JsonProperty("tinker_path") String tinkerPath,
    @JsonProperty("purpose") String purpose) {
  public AuditLogEntry {
    Fields.require(timestamp, "timestamp");
    Fields.require(event, "event");
  }
}
