package dev.luthier.cookbook.renderers;

/**
 * Which tokens of a supervised example carry loss weight 1 (all others 0). A message's trainable part is its
 * body and end-of-turn marker; role headers are trained only under {@link #ALL_TOKENS}. Mirrors the cookbook's
 * {@code TrainOnWhat}.
 */
public enum TrainOn {
    /** The body of the last message, which must be an assistant message. */
    LAST_ASSISTANT_MESSAGE,
    /** The bodies of all assistant messages. */
    ALL_ASSISTANT_MESSAGES,
    /** The bodies of all messages, whatever their role. */
    ALL_MESSAGES,
    /** Every token, headers and BOS included. */
    ALL_TOKENS
}
