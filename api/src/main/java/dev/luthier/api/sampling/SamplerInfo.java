package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code GET /api/v1/samplers/{sampler_id}}: {@code {"sampler_id", "base_model", "model_path": str?}}. */
public record SamplerInfo(
    @JsonProperty(value = "sampler_id", required = true) String samplerId,
    @JsonProperty(value = "base_model", required = true) String baseModel,
    @JsonProperty("model_path") String modelPath) {
  public SamplerInfo {
    Fields.require(samplerId, "sampler_id");
    Fields.require(baseModel, "base_model");
  }
}
