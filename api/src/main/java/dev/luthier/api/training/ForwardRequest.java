package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code POST /api/v1/forward} (SDK ≤0.24.1, JSON only): like forward_backward but keyed {@code
 * forward_input}, and no gradients. {@link #asForwardBackward()} gives the equivalent
 * forward-only forward_backward, which is what 0.25.0 sends instead.
 */
public record ForwardRequest(
    @JsonProperty(value = "forward_input", required = true) ForwardBackwardInput input,
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty(value = "seq_id", required = true) int seqId) {
  public ForwardRequest {
    Fields.require(input, "forward_input");
    Fields.require(modelId, "model_id");
  }

  public ForwardBackwardRequest asForwardBackward() {
    return new ForwardBackwardRequest(input.asForwardOnly(), modelId, seqId);
  }
}
