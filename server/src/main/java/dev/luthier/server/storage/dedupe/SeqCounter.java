package dev.luthier.server.storage.dedupe;

/** The two per-session counters a client numbers its requests with. */
public enum SeqCounter {
    /** {@code model_seq_id} of create_model and create-via-load: one per training client. */
    TRAIN,
    /** {@code sampling_session_seq_id} of create_sampling_session and unnamed sampler saves. */
    SAMPLE;

    /** The value in the {@code kind} column (and the middle word of the ids: "&lt;session&gt;:train:&lt;n&gt;"). */
    public String dbName() {
        return name().toLowerCase();
    }

    public static SeqCounter ofDbName(String name) {
        return valueOf(name.toUpperCase());
    }
}
