package dev.luthier.server.storage.checkpoints;

import java.util.Objects;

/**
 * {@code tinker://<training_run_id>/<weights|sampler_weights>/<name>} (wire spec §9.8). The client's parser wants
 * exactly three {@code /}-separated parts after the scheme, so neither the run id nor the name may contain a slash.
 */
public record TinkerPath(String runId, CheckpointKind kind, String name) {
    public static final String SCHEME = "tinker://";

    public TinkerPath {
        requirePart(runId, "run id");
        Objects.requireNonNull(kind, "kind");
        requirePart(name, "checkpoint name");
    }

    /** Parses a path, refusing anything the client would refuse. */
    public static TinkerPath parse(String path) {
        if (path == null || !path.startsWith(SCHEME)) {
            throw new IllegalArgumentException("a checkpoint path starts with " + SCHEME + ": " + path);
        }
        String[] parts = path.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected tinker://<run>/<weights|sampler_weights>/<name>: " + path);
        }
        return new TinkerPath(parts[0], CheckpointKind.ofPathSegment(parts[1]), parts[2]);
    }

    /** From a REST route: the run id and {@code checkpoint_id} = {@code "weights/<name>"}. */
    public static TinkerPath ofCheckpointId(String runId, String checkpointId) {
        int slash = checkpointId.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected weights/<name> or sampler_weights/<name>: " + checkpointId);
        }
        return new TinkerPath(runId, CheckpointKind.ofPathSegment(checkpointId.substring(0, slash)),
                checkpointId.substring(slash + 1));
    }

    /** {@code checkpoint_id} on the wire: {@code "weights/<name>"} or {@code "sampler_weights/<name>"}. */
    public String checkpointId() {
        return kind.pathSegment() + "/" + name;
    }

    @Override
    public String toString() {
        return SCHEME + runId + "/" + checkpointId();
    }

    private static void requirePart(String part, String what) {
        if (part == null || part.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " of a checkpoint path must not be empty");
        }
        if (part.indexOf('/') >= 0) {
            throw new IllegalArgumentException("the " + what + " of a checkpoint path must not contain '/': " + part);
        }
    }
}
