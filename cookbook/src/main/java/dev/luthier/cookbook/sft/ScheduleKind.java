package dev.luthier.cookbook.sft;

/** The shape of the learning rate after warm-up. */
public enum ScheduleKind {
    /** The peak rate throughout. */
    CONSTANT,
    /** From the peak straight down to 0 at the last step. */
    LINEAR,
    /** From the peak down to 0 along half a cosine. */
    COSINE
}
