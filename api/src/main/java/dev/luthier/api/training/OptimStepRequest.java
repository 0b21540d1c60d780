package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code POST /api/v1/optim_step} → future → {@link OptimStepResponse}: {@code {"adam_params":
 * AdamParams, "model_id", "seq_id", "type": "optim_step"}}. Applies the gradients summed over every
 * forward_backward since the last step, then clears them.
 */
public record OptimStepRequest(
    @JsonProperty(value = "adam_params", required = true) AdamParams adamParams,
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty(value = "seq_id", required = true) int seqId) {
  public static final String TYPE = "optim_step";

  public OptimStepRequest {
    Fields.require(adamParams, "adam_params");
    Fields.require(modelId, "model_id");
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
