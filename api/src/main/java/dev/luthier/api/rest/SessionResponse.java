package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/** {@code GET /api/v1/sessions/{id}}: {@code {"training_run_ids": [str], "sampler_ids": [str]}}. */
public record SessionResponse(
    @JsonProperty(value = "training_run_ids", required = true) List<String> trainingRunIds,
    @JsonProperty(value = "sampler_ids", required = true) List<String> samplerIds) {
  public SessionResponse {
    trainingRunIds = List.copyOf(Fields.require(trainingRunIds, "training_run_ids"));
    samplerIds = List.copyOf(Fields.require(samplerIds, "sampler_ids"));
  }
}
