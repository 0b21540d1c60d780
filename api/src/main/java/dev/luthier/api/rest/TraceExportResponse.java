package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code GET /api/v1/sessions/{id}/trace_export} (0.24+): {@code {"status": "pending"|"ready"|"failed",
 * "url": str?, "error": str?}}; the SDK polls every 5 s.
 */
public record TraceExportResponse(
    @JsonProperty(value = "status", required = true) String status,
    @JsonProperty("url") String url,
    @JsonProperty("error") String error) {
  public TraceExportResponse {
    Fields.require(status, "status");
  }
}
