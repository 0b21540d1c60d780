package dev.luthier.server.storage.samplers;

import java.time.Instant;
import java.util.Objects;

/**
 * A sampling session {@code "<session>:sample:<samplingSeqId>"}: the base model, or an adapter checkpoint on it.
 *
 * @param modelPath the {@code tinker://} checkpoint sampled from, or null for the base model alone
 */
public record SamplingSession(String id, String sessionId, long samplingSeqId, String baseModel, String modelPath,
                              Instant createdAt) {
    public SamplingSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
