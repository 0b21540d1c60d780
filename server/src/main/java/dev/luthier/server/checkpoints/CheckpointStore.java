package dev.luthier.server.checkpoints;

import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.checkpoints.CheckpointRepository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checkpoints: files under {@code <root>/<run>/<weights|sampler_weights>/<name>} and their rows in the database.
 * Files are written first (atomically) and registered after, so a registered checkpoint always has whole files.
 */
public final class CheckpointStore {
    private final Path root;
    private final CheckpointRepository repository;

    public CheckpointStore(Path root, CheckpointRepository repository) {
        this.root = root;
        this.repository = repository;
    }

    public CheckpointRepository repository() {
        return repository;
    }

    /** The directory a checkpoint's files go to. */
    public Path directoryFor(TinkerPath path) {
        return root.resolve(runDirectory(path.runId())).resolve(path.kind().pathSegment()).resolve(path.name());
    }

    public Optional<Checkpoint> find(String tinkerPath) {
        return repository.findByTinkerPath(tinkerPath);
    }

    /** Registers a written checkpoint; false when the path is already taken. */
    public boolean register(Checkpoint checkpoint) {
        return repository.insert(checkpoint);
    }

    /** Deletes a checkpoint's row and files; returns what was deleted. */
    public Optional<Checkpoint> delete(String tinkerPath) throws IOException {
        Optional<Checkpoint> deleted = repository.delete(tinkerPath);
        if (deleted.isPresent()) {
            TrainingStateFiles.deleteTree(Path.of(deleted.get().storagePath()));
        }
        return deleted;
    }

    public static TinkerPath path(String runId, CheckpointKind kind, String name) {
        return new TinkerPath(runId, kind, name);
    }

    /** The run id made safe as a directory name (it contains ':'). */
    static String runDirectory(String runId) {
        StringBuilder sb = new StringBuilder();
        for (byte b : runId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }
}
