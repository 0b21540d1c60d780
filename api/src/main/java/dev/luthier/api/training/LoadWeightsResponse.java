package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"path": str?, "model_id": str?, "type": "load_weights"}} (all optional). */
public record LoadWeightsResponse(@JsonProperty("path") String path, @JsonProperty("model_id") String modelId) {
  public static final String TYPE = "load_weights";

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
