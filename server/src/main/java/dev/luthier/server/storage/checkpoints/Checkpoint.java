package dev.luthier.server.storage.checkpoints;

import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.ids.CheckpointKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A saved checkpoint.
 *
 * @param id          an opaque unique id (the files' identity, e.g. a UUID)
 * @param tinkerPath  {@code tinker://<run>/<kind segment>/<name>}
 * @param storagePath the directory on disk (or in shared storage) holding its files
 * @param sizeBytes   the files' total size, or null when unknown
 * @param createdAt   {@code time} on the wire
 * @param expiresAt   when it may be deleted, or null for never
 */
public record Checkpoint(String id, String trainingRunId, CheckpointKind kind, String name, String tinkerPath,
                         String storagePath, Long sizeBytes, boolean isPublic, Instant createdAt, Instant expiresAt) {
    public Checkpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(storagePath, "storagePath");
        Objects.requireNonNull(createdAt, "createdAt");
        TinkerPath path = new TinkerPath(trainingRunId, kind, name);
        if (!path.toString().equals(tinkerPath)) {
            throw new IllegalArgumentException("tinker path " + tinkerPath + " does not match " + path);
        }
    }

    /** A new, private checkpoint saved at {@code at}; {@code ttl} null means it never expires. */
    public static Checkpoint saved(String id, TinkerPath path, String storagePath, Long sizeBytes, Instant at,
                                   Duration ttl) {
        return new Checkpoint(id, path.runId(), path.kind(), path.name(), path.toString(), storagePath, sizeBytes,
                false, at, ttl == null ? null : at.plus(ttl));
    }

    public TinkerPath path() {
        return new TinkerPath(trainingRunId, kind, name);
    }

    /** {@code checkpoint_id} on the wire. */
    public String checkpointId() {
        return path().checkpointId();
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
