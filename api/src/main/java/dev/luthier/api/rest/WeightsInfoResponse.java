package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code {"base_model": str, "is_lora": bool, "lora_rank": int?, "train_unembed": bool?,
 * "train_mlp": bool?, "train_attn": bool?}}; must also answer for other users' public checkpoints.
 */
public record WeightsInfoResponse(
    @JsonProperty(value = "base_model", required = true) String baseModel,
    @JsonProperty(value = "is_lora", required = true) boolean isLora,
    @JsonProperty("lora_rank") Integer loraRank,
    @JsonProperty("train_unembed") Boolean trainUnembed,
    @JsonProperty("train_mlp") Boolean trainMlp,
    @JsonProperty("train_attn") Boolean trainAttn) {
  public WeightsInfoResponse {
    Fields.require(baseModel, "base_model");
  }
}
