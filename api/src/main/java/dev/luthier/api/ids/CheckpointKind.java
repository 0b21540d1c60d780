package dev.luthier.api.ids;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The two kinds of checkpoint: {@code weights} (full training state, {@code checkpoint_type}
 * "training") and {@code sampler_weights} (weights for sampling, {@code checkpoint_type} "sampler").
 */
public enum CheckpointKind {
  @JsonProperty("training")
  WEIGHTS("weights", "training"),
  @JsonProperty("sampler")
  SAMPLER_WEIGHTS("sampler_weights", "sampler");

  private final String pathSegment;
  private final String checkpointType;

  CheckpointKind(String pathSegment, String checkpointType) {
    this.pathSegment = pathSegment;
    this.checkpointType = checkpointType;
  }

  /** {@code weights} or {@code sampler_weights}: the middle part of a tinker path. */
  public String pathSegment() {
    return pathSegment;
  }

  /** {@code training} or {@code sampler}: the REST {@code checkpoint_type}. */
  public String checkpointType() {
    return checkpointType;
  }

  /** The kind of a {@code checkpoint_type} ("training" or "sampler"). */
  public static CheckpointKind ofCheckpointType(String type) {
    for (CheckpointKind k : values()) if (k.checkpointType.equals(type)) return k;
    throw new IllegalArgumentException("unknown checkpoint type \"" + type + "\" (expected training or sampler)");
  }

  /** The kind of a path segment, or null. */
  public static CheckpointKind ofSegment(String segment) {
    for (CheckpointKind k : values()) if (k.pathSegment.equals(segment)) return k;
    return null;
  }
}
