package dev.luthier.cookbook.rl;

import java.util.ArrayList;
import java.util.List;

/**
 * The KL penalty against a reference model, folded into the advantages as the Python cookbook does (its
 * {@code incorporate_kl_penalty} without discounting): with {@code d_t = log p_sampler(t) − log p_ref(t)} on every
 * action token and {@code d̄} their mean over the whole batch, each action token's advantage gains
 * {@code coef·(d̄ − d_t)}. Tokens the sampler liked more than the reference are pushed down; subtracting the mean
 * keeps the batch's total advantage unchanged. {@code d̄} estimates KL(sampler ‖ reference) and is logged as
 * {@code kl_policy_base}.
 */
public final class KlPenalty {
    private KlPenalty() {
    }

    /** The sequences with penalised advantages, and {@code d̄}. */
    public record Folded(List<TrainingSequence> sequences, double meanLogRatio) {
    }

    /**
     * @param reference per sequence, the reference log-probability of each token given the ones before it (as
     *                  {@code compute_logprobs} returns: entry 0 has no value)
     */
    public static Folded fold(List<TrainingSequence> sequences, List<float[]> reference, double coef) {
        if (sequences.size() != reference.size()) {
            throw new IllegalArgumentException(reference.size() + " reference rows for " + sequences.size() + " sequences");
        }
        double sum = 0;
        long count = 0;
        for (int s = 0; s < sequences.size(); s++) {
            TrainingSequence seq = sequences.get(s);
            float[] ref = reference.get(s);
            if (ref.length != seq.tokens().length) {
                throw new IllegalArgumentException("reference row " + s + " has " + ref.length + " entries for "
                        + seq.tokens().length + " tokens");
            }
            for (int t = 0; t < ref.length; t++) {
                if (seq.action()[t]) {
                    if (!Float.isFinite(ref[t])) {
                        throw new IllegalArgumentException("no reference log-probability for action token " + t
                                + " of sequence " + s);
                    }
                    sum += seq.logprobs()[t] - ref[t];
                    count++;
                }
            }
        }
        double mean = count == 0 ? 0 : sum / count;
        List<TrainingSequence> out = new ArrayList<>(sequences.size());
        for (int s = 0; s < sequences.size(); s++) {
            TrainingSequence seq = sequences.get(s);
            float[] ref = reference.get(s);
            float[] adv = seq.advantages().clone();
            for (int t = 0; t < adv.length; t++) {
                if (seq.action()[t]) {
                    adv[t] += (float) (coef * (mean - (seq.logprobs()[t] - ref[t])));
                }
            }
            out.add(seq.withAdvantages(adv));
        }
        return new Folded(out, mean);
    }
}
