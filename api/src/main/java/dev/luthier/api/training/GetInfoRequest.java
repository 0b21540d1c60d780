package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code POST /api/v1/get_info} (synchronous, not sequenced): {@code {"model_id", "type": "get_info"}}. */
public record GetInfoRequest(@JsonProperty(value = "model_id", required = true) String modelId) {
  public static final String TYPE = "get_info";

  public GetInfoRequest {
    Fields.require(modelId, "model_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
