package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code PUT /api/v1/training_runs/{run}/checkpoints/{ckpt}/ttl}: {@code {"ttl_seconds": int or
 * null}}. Null (or missing) removes the expiry; ≤0 deserves a 400 ({@link #valid()}).
 */
public record CheckpointTtlRequest(@JsonProperty("ttl_seconds") Long ttlSeconds) {
  /** False for a TTL ≤ 0. */
  public boolean valid() {
    return ttlSeconds == null || ttlSeconds > 0;
  }
}
