package dev.luthier.engine.loss;

/**
 * The per-token inputs of a loss for one sequence (Tinker's {@code loss_fn_inputs}); arrays the loss does not use
 * may be null.
 *
 * @param targetTokens       N·K target ids (K = {@code targetsPerToken}; 1 except for soft-target cross-entropy)
 * @param targetsPerToken    K
 * @param weights            N·K cross-entropy weights
 * @param samplingLogprobs   N log-probabilities under the sampler ({@code logprobs})
 * @param advantages         N advantages
 * @param clipLow            N per-token lower ratio bounds overriding the config, or null
 * @param clipHigh           N per-token upper ratio bounds overriding the config, or null
 */
public record LossInputs(int[] targetTokens, int targetsPerToken, float[] weights, float[] samplingLogprobs,
                         float[] advantages, float[] clipLow, float[] clipHigh) {

    public LossInputs {
        if (targetsPerToken < 1 || targetTokens.length % targetsPerToken != 0) {
            throw new IllegalArgumentException("target_tokens has " + targetTokens.length
                    + " entries, not a multiple of " + targetsPerToken + " targets per position");
        }
        int n = targetTokens.length / targetsPerToken;
        check("weights", weights, n * targetsPerToken);
        check("logprobs", samplingLogprobs, n);
        check("advantages", advantages, n);
        check("clip_low_threshold", clipLow, n);
        check("clip_high_threshold", clipHigh, n);
    }

    public static LossInputs crossEntropy(int[] targets, float[] weights) {
        return new LossInputs(targets, 1, weights, null, null, null, null);
    }

    public static LossInputs policyGradient(int[] targets, float[] samplingLogprobs, float[] advantages) {
        return new LossInputs(targets, 1, null, samplingLogprobs, advantages, null, null);
    }

    /** Positions (N). */
    public int length() {
        return targetTokens.length / targetsPerToken;
    }

    private static void check(String name, float[] values, int expected) {
        if (values == null) {
            return;
        }
        if (values.length != expected) {
            throw new IllegalArgumentException(name + " has " + values.length + " entries, expected " + expected
                    + " (one per target)");
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(name + " contains a non-finite value (" + v + ")");
            }
        }
    }
}
