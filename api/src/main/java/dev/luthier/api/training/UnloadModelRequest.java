package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code POST /api/v1/unload_model} → future: {@code {"model_id", "type": "unload_model"}}. */
public record UnloadModelRequest(@JsonProperty(value = "model_id", required = true) String modelId) {
  public static final String TYPE = "unload_model";

  public UnloadModelRequest {
    Fields.require(modelId, "model_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
