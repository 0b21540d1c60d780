package dev.luthier.cookbook.distill;

/**
 * The per-token advantages of on-policy distillation. The student sampled token {@code t} with log-probability
 * {@code s_t}; the teacher gives it {@code q_t}. {@code s_t − q_t} is a one-sample estimate of the reverse KL
 * {@code KL(student ‖ teacher)} at that position, and the advantage penalises it:
 * <pre>
 *   A_t = −coef · Σ_{k ≥ t} γ^(k−t) · (s_k − q_k)
 * </pre>
 * With discount {@code γ = 0} (the cookbook's default) each token answers only for itself.
 */
public final class ReverseKlAdvantages {
    private ReverseKlAdvantages() {
    }

    /** The advantages of one sampled completion. */
    public static float[] compute(float[] studentLogprobs, float[] teacherLogprobs, double coef, double discount) {
        if (studentLogprobs.length != teacherLogprobs.length) {
            throw new IllegalArgumentException(studentLogprobs.length + " student logprobs but " + teacherLogprobs.length
                    + " teacher logprobs");
        }
        if (!(discount >= 0 && discount <= 1)) {
            throw new IllegalArgumentException("discount must be in [0, 1], got " + discount);
        }
        float[] out = new float[studentLogprobs.length];
        double future = 0;
        for (int t = out.length - 1; t >= 0; t--) {
            double kl = (double) studentLogprobs[t] - teacherLogprobs[t];
            if (!Double.isFinite(kl)) {
                throw new IllegalArgumentException("a non-finite log-probability at completion token " + t
                        + " (student " + studentLogprobs[t] + ", teacher " + teacherLogprobs[t] + ")");
            }
            future = kl + discount * future;
            out[t] = (float) (-coef * future) + 0f; // + 0 turns -0.0 into 0.0
        }
        return out;
    }
}
