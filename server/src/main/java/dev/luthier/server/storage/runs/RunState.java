package dev.luthier.server.storage.runs;

/** Where a training run stands. */
public enum RunState {
    /** Loaded (or loadable) and accepting requests. */
    ACTIVE,
    /** Its weights are no longer in memory (unload_model, or a restart); checkpoints remain. */
    UNLOADED,
    /** Stopped by an error; {@code state_message} says which. */
    FAILED;

    /** The value in the {@code state} column. */
    public String dbName() {
        return name().toLowerCase();
    }

    public static RunState ofDbName(String name) {
        return valueOf(name.toUpperCase());
    }
}
