package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /api/v1/healthz}: {@code {"status": "ok"}}. */
public record HealthResponse(@JsonProperty("status") String status) {
  public static HealthResponse ok() {
    return new HealthResponse("ok");
  }
}
