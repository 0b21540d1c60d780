package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/**
 * {@code POST /api/v1/telemetry}: {@code {"events": [...], "platform", "sdk_version",
 * "session_id", "process_uuid"}}; at most 100 events a batch. Answer {@link
 * TelemetryResponse#accepted()} or the SDK retries every second for ever.
 */
public record TelemetryRequest(
    @JsonProperty("events") List<TelemetryEvent> events,
    @JsonProperty("platform") String platform,
    @JsonProperty("sdk_version") String sdkVersion,
    @JsonProperty("session_id") String sessionId,
    @JsonProperty("process_uuid") String processUuid) {
  public TelemetryRequest {
    events = Fields.listOrEmpty(events);
  }
}
