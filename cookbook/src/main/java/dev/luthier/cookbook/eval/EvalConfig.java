package dev.luthier.cookbook.eval;

import java.util.List;

/**
 * How problems are evaluated.
 *
 * @param samples     samples per problem (n of pass@k)
 * @param ks          the k of each pass@k to report, each at most {@code samples}
 * @param maxTokens   most tokens per answer
 * @param temperature temperature of the n samples
 * @param greedy      also sample one answer at temperature 0 per problem (greedy accuracy)
 * @param seed        sampling seed
 */
public record EvalConfig(int samples, List<Integer> ks, int maxTokens, double temperature, boolean greedy, long seed) {
    public EvalConfig {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must not be negative, got " + samples);
        }
        ks = List.copyOf(ks);
        for (int k : ks) {
            if (k < 1 || k > samples) {
                throw new IllegalArgumentException("pass@" + k + " needs 1 ≤ k ≤ samples (" + samples + ")");
            }
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (samples == 0 && !greedy) {
            throw new IllegalArgumentException("nothing to evaluate: no samples and no greedy answer");
        }
    }

    /** Greedy accuracy only. */
    public static EvalConfig greedyOnly(int maxTokens) {
        return new EvalConfig(0, List.of(), maxTokens, 1.0, true, 0);
    }
}
