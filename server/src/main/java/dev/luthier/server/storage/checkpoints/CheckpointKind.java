package dev.luthier.server.storage.checkpoints;

/** The two kinds of checkpoint, with their names on the wire and in {@code tinker://} paths. */
public enum CheckpointKind {
    /** Full training state (adapter, optimizer, config): {@code tinker://<run>/weights/<name>}. */
    TRAINING("training", "weights"),
    /** A PEFT adapter for sampling: {@code tinker://<run>/sampler_weights/<name>}. */
    SAMPLER("sampler", "sampler_weights");

    private final String wireName;
    private final String pathSegment;

    CheckpointKind(String wireName, String pathSegment) {
        this.wireName = wireName;
        this.pathSegment = pathSegment;
    }

    /** {@code checkpoint_type} on the wire, and the value in the {@code kind} column. */
    public String wireName() {
        return wireName;
    }

    /** The middle part of a {@code tinker://} path and the first part of a {@code checkpoint_id}. */
    public String pathSegment() {
        return pathSegment;
    }

    public static CheckpointKind ofWireName(String name) {
        for (CheckpointKind k : values()) {
            if (k.wireName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown checkpoint type: " + name);
    }

    public static CheckpointKind ofPathSegment(String segment) {
        for (CheckpointKind k : values()) {
            if (k.pathSegment.equals(segment)) {
                return k;
            }
        }
        throw new IllegalArgumentException("expected weights or sampler_weights, got: " + segment);
    }
}
