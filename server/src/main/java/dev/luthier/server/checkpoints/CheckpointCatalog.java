package dev.luthier.server.checkpoints;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where checkpoints live and what is known about them (backed by the database in the service). */
public interface CheckpointCatalog {
    /** The directory a new checkpoint of this run, kind and name is written to. */
    Path directoryFor(String runId, CheckpointKind kind, String name);

    void register(CheckpointRecord record);

    Optional<CheckpointRecord> find(String tinkerPath);

    List<CheckpointRecord> list(String runId);

    void remove(String tinkerPath);
}
