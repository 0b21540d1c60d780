package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.time.Instant;
import java.util.Map;

/**
 * {@code {"training_run_id", "base_model", "model_owner", "is_lora": bool, "corrupted": false,
 * "lora_rank": int?, "last_request_time": datetime, "last_checkpoint": Checkpoint?,
 * "last_sampler_checkpoint": Checkpoint?, "user_metadata": {str: str}?}}.
 */
public record TrainingRun(
    @JsonProperty(value = "training_run_id", required = true) String trainingRunId,
    @JsonProperty(value = "base_model", required = true) String baseModel,
    @JsonProperty(value = "model_owner", required = true) String modelOwner,
    @JsonProperty(value = "is_lora", required = true) boolean isLora,
    @JsonProperty("corrupted") Boolean corrupted,
    @JsonProperty("lora_rank") Integer loraRank,
    @JsonProperty(value = "last_request_time", required = true) Instant lastRequestTime,
    @JsonProperty("last_checkpoint") Checkpoint lastCheckpoint,
    @JsonProperty("last_sampler_checkpoint") Checkpoint lastSamplerCheckpoint,
    @JsonProperty("user_metadata") Map<String, String> userMetadata) {
  public TrainingRun {
    Fields.require(trainingRunId, "training_run_id");
    Fields.require(baseModel, "base_model");
    Fields.require(modelOwner, "model_owner");
    Fields.require(lastRequestTime, "last_request_time");
    if (corrupted == null) corrupted = false;
    userMetadata = Fields.copyOrNull(userMetadata);
  }
}
