package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code {"session_id": str, "info_message": str?, "warning_message": str?, "error_message": str?,
 * "type": "create_session"}}. The SDK only logs the three messages.
 */
public record CreateSessionResponse(
    @JsonProperty(value = "session_id", required = true) String sessionId,
    @JsonProperty("info_message") String infoMessage,
    @JsonProperty("warning_message") String warningMessage,
    @JsonProperty("error_message") String errorMessage) {
  public static final String TYPE = "create_session";

  public CreateSessionResponse {
    Fields.require(sessionId, "session_id");
  }

  public static CreateSessionResponse of(String sessionId) {
    return new CreateSessionResponse(sessionId, null, null, null);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
