package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import java.time.Instant;

/**
 * {@code {"checkpoint_id": "weights/<name>", "checkpoint_type": "training"|"sampler", "time":
 * datetime, "tinker_path": str, "size_bytes": int?, "public": false, "expires_at": datetime?}}.
 */
public record Checkpoint(
    @JsonProperty(value = "checkpoint_id", required = true) String checkpointId,
    @JsonProperty(value = "checkpoint_type", required = true) CheckpointKind checkpointType,
    @JsonProperty(value = "time", required = true) Instant time,
    @JsonProperty(value = "tinker_path", required = true) String tinkerPath,
    @JsonProperty("size_bytes") Long sizeBytes,
    @JsonProperty("public") Boolean isPublic,
    @JsonProperty("expires_at") Instant expiresAt) {
  public Checkpoint {
    Fields.require(checkpointId, "checkpoint_id");
    Fields.require(checkpointType, "checkpoint_type");
    Fields.require(time, "time");
    Fields.require(tinkerPath, "tinker_path");
    if (isPublic == null) isPublic = false;
  }

  /** The entry of the checkpoint at {@code path}. */
  public static Checkpoint of(TinkerPath path, Instant time, Long sizeBytes, boolean isPublic, Instant expiresAt) {
    return new Checkpoint(path.checkpointId(), path.kind(), time, path.toString(), sizeBytes, isPublic, expiresAt);
  }
}
