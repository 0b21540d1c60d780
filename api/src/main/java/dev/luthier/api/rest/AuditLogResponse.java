package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/** {@code GET /api/v1/audit?event_type=all|checkpoints[&day=YYYY-MM-DD]}: {@code {"entries": [AuditLogEntry]}}. */
public record AuditLogResponse(@JsonProperty(value = "entries", required = true) List<AuditLogEntry> entries) {
  public AuditLogResponse {
    entries = List.copyOf(Fields.require(entries, "entries"));
  }
}
