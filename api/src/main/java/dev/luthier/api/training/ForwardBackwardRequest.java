package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code POST /api/v1/forward_backward} → future → {@link ForwardBackwardOutput}. JSON: {@code
 * {"forward_backward_input": ForwardBackwardInput, "model_id": str, "seq_id": int}} (no type);
 * protobuf (0.25.0, {@code application/x-protobuf}): decoded by {@code WireProto} into the same
 * record, with {@code forward_only} possibly set.
 */
public record ForwardBackwardRequest(
    @JsonProperty(value = "forward_backward_input", required = true) ForwardBackwardInput input,
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty(value = "seq_id", required = true) int seqId) {
  public ForwardBackwardRequest {
    Fields.require(input, "forward_backward_input");
    Fields.require(modelId, "model_id");
  }
}
