package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/** {@code GET /api/v1/training_runs}: {@code {"training_runs": [TrainingRun], "cursor": Cursor}}. */
public record TrainingRunsResponse(
    @JsonProperty(value = "training_runs", required = true) List<TrainingRun> trainingRuns,
    @JsonProperty(value = "cursor", required = true) Cursor cursor) {
  public TrainingRunsResponse {
    trainingRuns = List.copyOf(Fields.require(trainingRuns, "training_runs"));
    Fields.require(cursor, "cursor");
  }
}
