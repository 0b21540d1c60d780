package dev.luthier.engine.loss;

/**
 * A token-level loss with Tinker's semantics: a sum over tokens (never a mean) of a function of each target's
 * log-probability {@code lp}. Implementations give, per entry, the loss term and its derivative with respect to lp.
 */
public sealed interface LossFunction permits CrossEntropyLoss, ImportanceSamplingLoss, PpoLoss, CispoLoss, DroLoss {

    /** The {@code loss_fn} name on the wire. */
    String name();

    /** Throws {@link IllegalArgumentException} naming what is missing when the inputs do not fit this loss. */
    void validate(LossInputs inputs);

    /**
     * The loss term of entry {@code i} (of N·K) given its log-probability, and in {@code gradient[gradientIndex]}
     * its derivative with respect to that log-probability.
     */
    double term(LossInputs inputs, int i, float lp, float[] gradient, int gradientIndex);

    /** The inputs every policy-gradient loss needs: one target per position, sampler logprobs, advantages. */
    static void requirePolicyInputs(String loss, LossInputs inputs) {
        requireSingleTarget(loss, inputs);
        require(loss, "logprobs", inputs.samplingLogprobs());
        require(loss, "advantages", inputs.advantages());
    }

    static void require(String loss, String key, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("loss " + loss + " needs loss_fn_inputs." + key);
        }
    }

    static void requireSingleTarget(String loss, LossInputs inputs) {
        if (inputs.targetsPerToken() != 1) {
            throw new IllegalArgumentException("loss " + loss + " takes one target per position, got "
                    + inputs.targetsPerToken());
        }
    }
}
