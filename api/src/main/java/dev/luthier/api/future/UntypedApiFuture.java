package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** The reply to every async submit: {@code {"request_id": str, "model_id": str?}}. */
public record UntypedApiFuture(
    @JsonProperty(value = "request_id", required = true) String requestId,
    @JsonProperty("model_id") String modelId) {
  public UntypedApiFuture {
    Fields.require(requestId, "request_id");
  }

  public static UntypedApiFuture of(String requestId) {
    return new UntypedApiFuture(requestId, null);
  }
}
