package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code {"model_id": str, "type": "create_model"}}. */
public record CreateModelResponse(@JsonProperty(value = "model_id", required = true) String modelId) {
  public static final String TYPE = "create_model";

  public CreateModelResponse {
    Fields.require(modelId, "model_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
