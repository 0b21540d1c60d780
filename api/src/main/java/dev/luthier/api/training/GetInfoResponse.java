package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code {"model_id", "model_data": ModelData, "is_lora": bool?, "lora_rank": int?, "model_name":
 * str?, "type": "get_info"}}.
 */
public record GetInfoResponse(
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty(value = "model_data", required = true) ModelData modelData,
    @JsonProperty("is_lora") Boolean isLora,
    @JsonProperty("lora_rank") Integer loraRank,
    @JsonProperty("model_name") String modelName) {
  public static final String TYPE = "get_info";

  public GetInfoResponse {
    Fields.require(modelId, "model_id");
    Fields.require(modelData, "model_data");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
