package dev.luthier.server.checkpoints;

import java.nio.file.Path;
import java.time.Instant;

/** A saved checkpoint: where it is on disk, what it is, and its lifecycle. */
public record CheckpointRecord(String trainingRunId, CheckpointKind kind, String name, String tinkerPath, Path directory,
                               long sizeBytes, Instant createdAt, Instant expiresAt, boolean published, String baseModel) {
    public String checkpointId() {
        return kind.pathSegment() + "/" + name;
    }

    public static String tinkerPath(String runId, CheckpointKind kind, String name) {
        return "tinker://" + runId + "/" + kind.pathSegment() + "/" + name;
    }
}
