package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A pending future: {@code {"type": "try_again", "request_id": str, "queue_state": "active",
 * "queue_state_reason": str?}}. Send it as the body of an HTTP 408 after long-polling about 25–30 s
 * (a 200 with this body also works but makes the SDK log a warning each time).
 */
public record TryAgainResponse(
    @JsonProperty("request_id") String requestId,
    @JsonProperty("queue_state") QueueState queueState,
    @JsonProperty("queue_state_reason") String queueStateReason) {
  public static final String TYPE = "try_again";

  public TryAgainResponse {
    if (queueState == null) queueState = QueueState.ACTIVE;
  }

  public static TryAgainResponse active(String requestId) {
    return new TryAgainResponse(requestId, QueueState.ACTIVE, null);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
