package dev.luthier.server.storage.dedupe;

/**
 * The outcome of {@link SeqDedupeRepository#claim}.
 *
 * @param claim the claim in force: the one proposed if {@code fresh}, else the original
 * @param fresh true when this request is the first with its seq id; false for a resend, which must be answered
 *              with the original's target and request id
 */
public record ClaimResult(SeqClaim claim, boolean fresh) {
}
