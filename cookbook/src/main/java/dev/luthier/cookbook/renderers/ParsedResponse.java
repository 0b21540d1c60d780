package dev.luthier.cookbook.renderers;

/** A sampled response read back as a message, and how the sample ended. */
public record ParsedResponse(Message message, Termination termination) {

    /** How a sampled response ended. */
    public enum Termination {
        /** It reached one of the renderer's stop sequences, which is not part of the message. */
        STOP_SEQUENCE,
        /** It ended without a stop sequence (e.g. cut off by max_tokens); the message is what there was. */
        MALFORMED
    }

    public boolean stopped() {
        return termination == Termination.STOP_SEQUENCE;
    }
}
