package dev.luthier.cookbook.preferences;

/** The line formats {@link PreferenceDatasets} reads. */
public enum PreferenceFormat {
    /** {@code {"chosen": transcript, "rejected": transcript}} with HH-RLHF transcripts ({@link HhRlhfTranscript}). */
    HH_RLHF,
    /**
     * {@code {"prompt": [messages] | "text", "chosen": reply, "rejected": reply}}, a reply being a string, a message
     * object {@code {"role": "assistant", "content": ...}} or a list holding one such message.
     */
    GENERIC,
    /** Per line: {@link #GENERIC} when it has a {@code prompt}, else {@link #HH_RLHF}. */
    AUTO
}
