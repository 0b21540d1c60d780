package dev.luthier.server.checkpoints;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A catalog kept in memory, over a checkpoint directory (for tests and embedded use without a database). */
public final class InMemoryCheckpointCatalog implements CheckpointCatalog {
    private final Path root;
    private final Map<String, CheckpointRecord> records = new ConcurrentHashMap<>();

    public InMemoryCheckpointCatalog(Path root) {
        this.root = root;
    }

    @Override
    public Path directoryFor(String runId, CheckpointKind kind, String name) {
        return CheckpointPaths.directory(root, runId, kind, name);
    }

    @Override
    public void register(CheckpointRecord record) {
        records.put(record.tinkerPath(), record);
    }

    @Override
    public Optional<CheckpointRecord> find(String tinkerPath) {
        return Optional.ofNullable(records.get(tinkerPath));
    }

    @Override
    public List<CheckpointRecord> list(String runId) {
        List<CheckpointRecord> out = new ArrayList<>();
        for (CheckpointRecord r : records.values()) {
            if (r.trainingRunId().equals(runId)) {
                out.add(r);
            }
        }
        out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return out;
    }

    @Override
    public void remove(String tinkerPath) {
        records.remove(tinkerPath);
    }
}
