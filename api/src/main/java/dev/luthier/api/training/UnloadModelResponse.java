package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code {"model_id": str, "type": "unload_model"}}. */
public record UnloadModelResponse(@JsonProperty(value = "model_id", required = true) String modelId) {
  public static final String TYPE = "unload_model";

  public UnloadModelResponse {
    Fields.require(modelId, "model_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
