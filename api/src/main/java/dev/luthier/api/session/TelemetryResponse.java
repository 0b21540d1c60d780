package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"status": "accepted"}}: the only telemetry reply the SDK takes as success. */
public record TelemetryResponse(@JsonProperty("status") String status) {
  public static TelemetryResponse accepted() {
    return new TelemetryResponse("accepted");
  }
}
