package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code POST /api/v1/session_heartbeat}: {@code {"session_id": str, "type": "session_heartbeat"}}, every 10 s. */
public record SessionHeartbeatRequest(@JsonProperty(value = "session_id", required = true) String sessionId) {
  public static final String TYPE = "session_heartbeat";

  public SessionHeartbeatRequest {
    Fields.require(sessionId, "session_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
