package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code {"path": "tinker://<model_id>/weights/<name>", "type": "save_weights"}} (path required). */
public record SaveWeightsResponse(@JsonProperty(value = "path", required = true) String path) {
  public static final String TYPE = "save_weights";

  public SaveWeightsResponse {
    Fields.require(path, "path");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
