package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type": "session_heartbeat"}}. */
public record SessionHeartbeatResponse() {
  public static final String TYPE = "session_heartbeat";

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
