package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code {"sampling_session_id": str, "type": "create_sampling_session"}}. */
public record CreateSamplingSessionResponse(
    @JsonProperty(value = "sampling_session_id", required = true) String samplingSessionId) {
  public static final String TYPE = "create_sampling_session";

  public CreateSamplingSessionResponse {
    Fields.require(samplingSessionId, "sampling_session_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
