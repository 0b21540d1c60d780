package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code POST /api/v1/save_weights} → future → {@link SaveWeightsResponse}: {@code {"model_id",
 * "path": "<name>", "seq_id", "ttl_seconds": int?, "overwrite": false, "type": "save_weights"}}.
 * Saves weights and optimizer state under {@code tinker://<model_id>/weights/<name>}; a null TTL
 * never expires.
 */
public record SaveWeightsRequest(
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty(value = "path", required = true) String path,
    @JsonProperty(value = "seq_id", required = true) int seqId,
    @JsonProperty("ttl_seconds") Long ttlSeconds,
    @JsonProperty("overwrite") Boolean overwrite) {
  public static final String TYPE = "save_weights";

  public SaveWeightsRequest {
    Fields.require(modelId, "model_id");
    Fields.require(path, "path");
    if (overwrite == null) overwrite = false;
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
