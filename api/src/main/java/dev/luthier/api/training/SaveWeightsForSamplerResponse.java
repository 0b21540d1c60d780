package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"path": str?, "sampling_session_id": str?, "type": "save_weights_for_sampler"}}: a named
 * save needs {@code path}, an unnamed one {@code sampling_session_id}.
 */
public record SaveWeightsForSamplerResponse(
    @JsonProperty("path") String path,
    @JsonProperty("sampling_session_id") String samplingSessionId) {
  public static final String TYPE = "save_weights_for_sampler";

  public static SaveWeightsForSamplerResponse named(String path) {
    return new SaveWeightsForSamplerResponse(path, null);
  }

  public static SaveWeightsForSamplerResponse unnamed(String samplingSessionId) {
    return new SaveWeightsForSamplerResponse(null, samplingSessionId);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
