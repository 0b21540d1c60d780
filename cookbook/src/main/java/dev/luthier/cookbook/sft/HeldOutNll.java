package dev.luthier.cookbook.sft;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The held-out loss of a model: total negative log-likelihood (nats) of the weighted target tokens, how many there
 * were, and how many UTF-8 bytes their text has.
 */
public record HeldOutNll(double totalNll, double weightedTokens, long bytes) {

    /** Mean NLL per weighted token, in nats. */
    public double meanNll() {
        return totalNll / weightedTokens;
    }

    /** Bits per byte: {@code totalNll / ln 2 / bytes}, comparable across tokenizers. */
    public double bitsPerByte() {
        return totalNll / Math.log(2) / bytes;
    }

    /** {@code prefix/nll}, {@code prefix/bpb} (e.g. {@code test/nll}). */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "/nll", meanNll());
        m.put(prefix + "/bpb", bitsPerByte());
        return m;
    }
}
