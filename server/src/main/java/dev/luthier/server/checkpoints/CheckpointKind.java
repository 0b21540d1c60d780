package dev.luthier.server.checkpoints;

/** The two kinds of checkpoint, with their {@code tinker://} path segment and REST {@code checkpoint_type}. */
public enum CheckpointKind {
    TRAINING("weights", "training"), SAMPLER("sampler_weights", "sampler");

    private final String pathSegment;
    private final String wireType;

    CheckpointKind(String pathSegment, String wireType) {
        this.pathSegment = pathSegment;
        this.wireType = wireType;
    }

    public String pathSegment() {
        return pathSegment;
    }

    public String wireType() {
        return wireType;
    }

    public static CheckpointKind fromPathSegment(String s) {
        for (CheckpointKind k : values()) {
            if (k.pathSegment.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown checkpoint kind \"" + s + "\" (expected weights or sampler_weights)");
    }
}
