package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/**
 * {@code GET /api/v1/training_runs/{run}/checkpoints} and {@code GET /api/v1/checkpoints}: {@code
 * {"checkpoints": [Checkpoint], "cursor": Cursor?}}.
 */
public record CheckpointsResponse(
    @JsonProperty(value = "checkpoints", required = true) List<Checkpoint> checkpoints,
    @JsonProperty("cursor") Cursor cursor) {
  public CheckpointsResponse {
    checkpoints = List.copyOf(Fields.require(checkpoints, "checkpoints"));
  }
}
