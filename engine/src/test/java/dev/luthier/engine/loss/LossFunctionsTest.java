package dev.luthier.engine.loss;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Every loss's per-token term and its derivative with respect to the target log-probability, against closed forms
 * written out here on hand-made inputs, and against central finite differences of the term itself (where the loss
 * is a true function of lp; CISPO's stop-gradient is checked separately). Also the factory's defaults and errors,
 * and the validation of inputs.
 */
class LossFunctionsTest {
    /** A step exact in float and double, so that lp ± H are representable without rounding for the lps used here. */
    private static final double H = 1.0 / 1024;

    // ------------------------------------------------------------------------------------------ helpers

    private record Term(double value, float gradient) {
    }

    private static Term term(LossFunction loss, LossInputs in, int i, float lp) {
        float[] g = new float[3];
        java.util.Arrays.fill(g, Float.NaN);
        double v = loss.term(in, i, lp, g, 1);
        // Only the addressed gradient slot is written.
        assertThat(g[0]).isNaN();
        assertThat(g[2]).isNaN();
        return new Term(v, g[1]);
    }

    /** Central difference of the term in lp, computed in double with the exact float step actually taken. */
    private static double finiteDifference(LossFunction loss, LossInputs in, int i, float lp) {
        float plus = (float) (lp + H);
        float minus = (float) (lp - H);
        assertThat((double) plus - minus).isEqualTo(2 * H);
        return (term(loss, in, i, plus).value() - term(loss, in, i, minus).value()) / ((double) plus - minus);
    }

    private static void assertTerm(LossFunction loss, LossInputs in, int i, float lp, double expectedValue,
                                   double expectedGradient) {
        Term t = term(loss, in, i, lp);
        assertThat(t.value()).as("%s term at %d (lp %s)", loss.name(), i, lp)
                .isCloseTo(expectedValue, within(1e-12 + 1e-12 * Math.abs(expectedValue)));
        assertThat((double) t.gradient()).as("%s gradient at %d (lp %s)", loss.name(), i, lp)
                .isCloseTo(expectedGradient, within(1e-7 + 1e-6 * Math.abs(expectedGradient)));
    }

    private static void assertGradientIsFiniteDifference(LossFunction loss, LossInputs in, int i, float lp) {
        double fd = finiteDifference(loss, in, i, lp);
        float g = term(loss, in, i, lp).gradient();
        assertThat((double) g).as("%s gradient at %d vs finite difference", loss.name(), i)
                .isCloseTo(fd, within(1e-5 + 1e-5 * Math.abs(fd)));
    }

    private static double clip(double x, double lo, double hi) {
        return x < lo ? lo : x > hi ? hi : x;
    }

    // ------------------------------------------------------------------------------------------ cross-entropy

    @Test
    void crossEntropyIsMinusWeightTimesLogprob() {
        int[] targets = {3, 1, 4, 1};
        float[] w = {1f, 0.5f, -2f, 0f};
        float[] lp = {-0.75f, -2.5f, -1.125f, -3f};
        LossInputs in = LossInputs.crossEntropy(targets, w);
        LossFunction ce = new CrossEntropyLoss();
        ce.validate(in);
        // hand-computed: -w·lp
        double[] expected = {0.75, 1.25, -2.25, 0};
        double[] grads = {-1, -0.5, 2, 0};
        for (int i = 0; i < 4; i++) {
            assertTerm(ce, in, i, lp[i], expected[i], grads[i]);
            assertGradientIsFiniteDifference(ce, in, i, lp[i]);
        }
    }

    @Test
    void crossEntropyWithoutWeightsCountsEachTokenOnce() {
        LossInputs in = LossInputs.crossEntropy(new int[]{0, 7}, null);
        LossFunction ce = new CrossEntropyLoss();
        assertTerm(ce, in, 0, -0.5f, 0.5, -1);
        assertTerm(ce, in, 1, -4.25f, 4.25, -1);
        assertGradientIsFiniteDifference(ce, in, 1, -4.25f);
    }

    @Test
    void crossEntropyWithZeroWeightIgnoresEvenInfiniteLogprob() {
        LossInputs in = LossInputs.crossEntropy(new int[]{2}, new float[]{0f});
        Term t = term(new CrossEntropyLoss(), in, 0, Float.NEGATIVE_INFINITY);
        assertThat(t.value()).isEqualTo(0.0);
        assertThat(t.gradient() == 0f).isTrue();
    }

    @Test
    void softTargetCrossEntropyWeighsEachOfTheKTargets() {
        // N = 2 positions, K = 3 targets each: weights are per (position, target) entry.
        int[] targets = {5, 6, 7, 1, 2, 3};
        float[] w = {0.5f, 0.25f, 0.25f, 1f, -0.5f, 0f};
        float[] lp = {-1f, -2f, -4f, -0.5f, -1.5f, -8f};
        LossInputs in = new LossInputs(targets, 3, w, null, null, null, null);
        assertThat(in.length()).isEqualTo(2);
        assertThat(in.targetsPerToken()).isEqualTo(3);
        LossFunction ce = new CrossEntropyLoss();
        ce.validate(in);
        double total = 0;
        for (int i = 0; i < 6; i++) {
            assertTerm(ce, in, i, lp[i], -(double) w[i] * lp[i], -w[i]);
            assertGradientIsFiniteDifference(ce, in, i, lp[i]);
            total += term(ce, in, i, lp[i]).value();
        }
        // -(0.5·-1 + 0.25·-2 + 0.25·-4) - (1·-0.5 + -0.5·-1.5 + 0) = 2 + 0.5 - 0.75
        assertThat(total).isCloseTo(1.75, within(1e-12));
    }

    // ------------------------------------------------------------------------------------------ importance sampling

    @Test
    void importanceSamplingIsMinusRatioTimesAdvantage() {
        float[] q = {-1f, -2f, -0.5f};
        float[] a = {2f, -1.5f, 0.25f};
        float[] lp = {-1f, -1.5f, -3f};
        LossInputs in = LossInputs.policyGradient(new int[]{1, 2, 3}, q, a);
        LossFunction is = new ImportanceSamplingLoss();
        is.validate(in);
        // ratio 1: loss -2, gradient -2
        assertTerm(is, in, 0, lp[0], -2, -2);
        // ratio e^0.5
        double r1 = Math.exp(0.5);
        assertTerm(is, in, 1, lp[1], 1.5 * r1, 1.5 * r1);
        double r2 = Math.exp(-2.5);
        assertTerm(is, in, 2, lp[2], -0.25 * r2, -0.25 * r2);
        for (int i = 0; i < 3; i++) {
            assertGradientIsFiniteDifference(is, in, i, lp[i]);
        }
    }

    // ------------------------------------------------------------------------------------------ PPO

    /** -min(r·A, clip(r, lo, hi)·A) and its derivative, written independently of the implementation. */
    private static double[] ppo(double lp, double q, double a, double lo, double hi) {
        double r = Math.exp(lp - q);
        double unclipped = r * a;
        double clipped = clip(r, lo, hi) * a;
        if (clipped < unclipped) {
            return new double[]{-clipped, 0};
        }
        return new double[]{-unclipped, -r * a};
    }

    @Test
    void ppoClipsEachSideOnlyWhereThePessimisticTermIsTheClippedOne() {
        LossFunction ppo = LossFunctions.create("ppo", null);
        // Each row: lp, q, A, and the expected (value, gradient) worked out by hand.
        // ratio r = exp(lp - q); bounds 0.8 / 1.2.
        float[] q = new float[8];
        float[] a = new float[8];
        float[] lp = new float[8];
        double[][] expected = new double[8][];
        // 0: r = 1 (inside), A > 0 → -A·r, gradient -A·r
        lp[0] = -1f; q[0] = -1f; a[0] = 2f; expected[0] = new double[]{-2, -2};
        // 1: r = e^0.5 ≈ 1.65 > 1.2, A > 0 → clipped at 1.2: value -1.2·A, no gradient (high side active)
        lp[1] = -0.5f; q[1] = -1f; a[1] = 1f; expected[1] = new double[]{-1.2, 0};
        // 2: r = e^-0.5 ≈ 0.61 < 0.8, A > 0 → r·A is smaller: unclipped, gradient flows (low side inactive)
        lp[2] = -1.5f; q[2] = -1f; a[2] = 1f; expected[2] = new double[]{-Math.exp(-0.5), -Math.exp(-0.5)};
        // 3: r = e^-0.5 < 0.8, A < 0 → clipped at 0.8: value 0.8·|A|, no gradient (low side active)
        lp[3] = -1.5f; q[3] = -1f; a[3] = -2f; expected[3] = new double[]{1.6, 0};
        // 4: r = e^0.5 > 1.2, A < 0 → r·A is smaller: unclipped (high side inactive)
        lp[4] = -0.5f; q[4] = -1f; a[4] = -2f; expected[4] = new double[]{2 * Math.exp(0.5), 2 * Math.exp(0.5)};
        // 5: r = e^0.125 ≈ 1.133 inside, A < 0
        lp[5] = -0.875f; q[5] = -1f; a[5] = -0.5f;
        expected[5] = new double[]{0.5 * Math.exp(0.125), 0.5 * Math.exp(0.125)};
        // 6: A = 0 → zero loss and zero gradient
        lp[6] = -0.5f; q[6] = -1f; a[6] = 0f; expected[6] = new double[]{0, 0};
        // 7: r = e^-0.125 ≈ 0.8825 inside, A > 0
        lp[7] = -2.125f; q[7] = -2f; a[7] = 4f; expected[7] = new double[]{-4 * Math.exp(-0.125), -4 * Math.exp(-0.125)};
        LossInputs in = LossInputs.policyGradient(new int[8], q, a);
        ppo.validate(in);
        for (int i = 0; i < 8; i++) {
            double[] ref = ppo(lp[i], q[i], a[i], 0.8, 1.2);
            assertThat(ref[0]).as("reference %d", i).isCloseTo(expected[i][0], within(1e-12));
            assertThat(ref[1]).as("reference %d", i).isCloseTo(expected[i][1], within(1e-12));
            assertTerm(ppo, in, i, lp[i], expected[i][0], expected[i][1]);
            assertGradientIsFiniteDifference(ppo, in, i, lp[i]);
        }
    }

    @Test
    void ppoPerTokenClipOverridesReplaceTheConfig() {
        LossFunction ppo = new PpoLoss(0.8, 1.2);
        // r = e^0.5 ≈ 1.6487, A = 1 for both tokens. Token 0 allows up to 2.0 (unclipped), token 1 only up to 1.1.
        float[] q = {-1f, -1f};
        float[] a = {1f, 1f};
        float[] lp = {-0.5f, -0.5f};
        float[] lo = {0.5f, 0.9f};
        float[] hi = {2f, 1.1f};
        LossInputs in = new LossInputs(new int[]{0, 0}, 1, null, q, a, lo, hi);
        double r = Math.exp(0.5);
        assertTerm(ppo, in, 0, lp[0], -r, -r);
        assertTerm(ppo, in, 1, lp[1], -(double) 1.1f, 0);
        for (int i = 0; i < 2; i++) {
            assertGradientIsFiniteDifference(ppo, in, i, lp[i]);
        }
        // Low side through the override: r = e^-0.5 ≈ 0.607, A < 0, lower bound 0.7 → clipped, value -0.7·A.
        LossInputs low = new LossInputs(new int[]{0}, 1, null, new float[]{-1f}, new float[]{-1f},
                new float[]{0.7f}, new float[]{1.3f});
        assertTerm(ppo, low, 0, -1.5f, (double) 0.7f, 0);
        // Without the override the config's 0.8 applies.
        assertTerm(ppo, LossInputs.policyGradient(new int[]{0}, new float[]{-1f}, new float[]{-1f}), 0, -1.5f, 0.8, 0);
    }

    @Test
    void ppoConfigBoundsAreUsed() {
        LossFunction wide = LossFunctions.create("ppo", Map.of("clip_low_threshold", 0.5, "clip_high_threshold", 2.0));
        assertThat(wide).isEqualTo(new PpoLoss(0.5, 2.0));
        LossInputs in = LossInputs.policyGradient(new int[]{0}, new float[]{-1f}, new float[]{1f});
        double r = Math.exp(0.5);
        assertTerm(wide, in, 0, -0.5f, -r, -r);
        LossFunction narrow = LossFunctions.create("ppo", Map.of("clip_high_threshold", 1.5));
        assertThat(narrow).isEqualTo(new PpoLoss(0.8, 1.5));
        assertTerm(narrow, in, 0, -0.5f, -1.5, 0);
    }

    // ------------------------------------------------------------------------------------------ CISPO

    @Test
    void cispoWeighsLogprobByTheClippedRatioWithoutItsGradient() {
        LossFunction cispo = LossFunctions.create("cispo", null);
        float[] q = {-1f, -1f, -1f, -2f};
        float[] a = {2f, 1f, -0.5f, 3f};
        // r: 1, e^2 ≈ 7.39 (> 4), e^-1, e^0.75
        float[] lp = {-1f, 1f, -2f, -1.25f};
        LossInputs in = LossInputs.policyGradient(new int[4], q, a);
        cispo.validate(in);
        for (int i = 0; i < 4; i++) {
            double c = clip(Math.exp((double) lp[i] - q[i]), 0, 4);
            assertTerm(cispo, in, i, lp[i], -c * a[i] * lp[i], -c * a[i]);
        }
        assertTerm(cispo, in, 1, 1f, -4 * 1 * 1, -4);
        // Where the ratio is clipped the weight is constant in lp, so the term's finite difference is the gradient.
        assertGradientIsFiniteDifference(cispo, in, 1, lp[1]);
        // Inside the bounds the weight is a stop-gradient: the gradient is -r·A, not d/dlp(-r·A·lp) = -r·A·(1 + lp).
        double r = Math.exp(0.75);
        assertThat(finiteDifference(cispo, in, 3, lp[3])).isCloseTo(-r * 3 * (1 + lp[3]), within(1e-4));
        assertThat((double) term(cispo, in, 3, lp[3]).gradient()).isCloseTo(-r * 3, within(1e-5));
    }

    @Test
    void cispoPerTokenOverridesGiveConstantWeightsMatchingFiniteDifferences() {
        LossFunction cispo = new CispoLoss(0, 4);
        // lo = hi per token: the weight is exactly that bound, whatever lp is.
        float[] bound = {0.5f, 2f};
        LossInputs in = new LossInputs(new int[2], 1, null, new float[]{-1f, -1f}, new float[]{2f, -1f}, bound, bound);
        assertTerm(cispo, in, 0, -3f, -(0.5 * 2 * -3), -(0.5 * 2));
        assertTerm(cispo, in, 1, -0.25f, -(2 * -1 * -0.25), 2);
        assertGradientIsFiniteDifference(cispo, in, 0, -3f);
        assertGradientIsFiniteDifference(cispo, in, 1, -0.25f);
        // Low side: r = e^-2 ≈ 0.135 is lifted to the per-token lower bound 0.25.
        LossInputs low = new LossInputs(new int[1], 1, null, new float[]{0f}, new float[]{1f},
                new float[]{0.25f}, new float[]{3f});
        assertTerm(cispo, low, 0, -2f, -(0.25 * -2), -0.25);
    }

    @Test
    void cispoConfigBounds() {
        LossFunction cispo = LossFunctions.create("cispo", Map.of("clip_low_threshold", 0.5, "clip_high_threshold", 1.5));
        assertThat(cispo).isEqualTo(new CispoLoss(0.5, 1.5));
        LossInputs in = LossInputs.policyGradient(new int[2], new float[]{0f, 0f}, new float[]{1f, 1f});
        assertTerm(cispo, in, 0, 1f, -1.5, -1.5);   // r = e > 1.5
        assertTerm(cispo, in, 1, -1f, 0.5, -0.5);   // r = 1/e < 0.5
    }

    // ------------------------------------------------------------------------------------------ DRO

    @Test
    void droIsLinearTermMinusQuadraticPenalty() {
        float[] q = {-1f, -2f, -0.5f};
        float[] a = {1f, -2f, 0f};
        float[] lp = {-1.5f, -1f, -0.5f};
        LossInputs in = LossInputs.policyGradient(new int[3], q, a);
        for (double beta : new double[]{0.1, 0.7, 0}) {
            LossFunction dro = new DroLoss(beta);
            dro.validate(in);
            for (int i = 0; i < 3; i++) {
                double d = (double) lp[i] - q[i];
                assertTerm(dro, in, i, lp[i], -(lp[i] * a[i] - 0.5 * beta * d * d), -a[i] + beta * d);
                assertGradientIsFiniteDifference(dro, in, i, lp[i]);
            }
        }
        // Hand-computed with β = 0.5: lp - q = -0.5, A = 1 → -(-1.5 - 0.25·0.25) = 1.5625; gradient -1 - 0.25
        LossFunction dro = LossFunctions.create("dro", Map.of("beta", 0.5));
        assertThat(dro).isEqualTo(new DroLoss(0.5));
        assertTerm(dro, in, 0, lp[0], 1.5625, -1.25);
    }

    // ------------------------------------------------------------------------------------------ factory

    @Test
    void factoryDefaults() {
        assertThat(LossFunctions.create("cross_entropy", null)).isInstanceOf(CrossEntropyLoss.class);
        assertThat(LossFunctions.create("cross_entropy", Map.of())).isInstanceOf(CrossEntropyLoss.class);
        assertThat(LossFunctions.create("importance_sampling", null)).isInstanceOf(ImportanceSamplingLoss.class);
        assertThat(LossFunctions.create("ppo", null)).isEqualTo(new PpoLoss(0.8, 1.2));
        assertThat(LossFunctions.create("cispo", Map.of())).isEqualTo(new CispoLoss(0, 4));
        assertThat(LossFunctions.create("dro", null)).isEqualTo(new DroLoss(0.1));
        for (String name : new String[]{"cross_entropy", "importance_sampling", "ppo", "cispo", "dro"}) {
            assertThat(LossFunctions.create(name, null).name()).isEqualTo(name);
        }
    }

    @Test
    void unknownLossNameIsRejectedWithTheSupportedNames() {
        assertThatThrownBy(() -> LossFunctions.create("grpo", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown loss_fn")
                .hasMessageContaining("grpo")
                .hasMessageContaining("cross_entropy");
        assertThatThrownBy(() -> LossFunctions.create("CROSS_ENTROPY", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CROSS_ENTROPY");
    }

    @Test
    void unknownConfigKeysAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> LossFunctions.create("ppo", Map.of("clip_epsilon", 0.2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clip_epsilon")
                .hasMessageContaining("clip_low_threshold");
        assertThatThrownBy(() -> LossFunctions.create("cross_entropy", Map.of("beta", 0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beta")
                .hasMessageContaining("takes none");
        assertThatThrownBy(() -> LossFunctions.create("dro", Map.of("clip_high_threshold", 1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clip_high_threshold");
        assertThatThrownBy(() -> LossFunctions.create("importance_sampling", Map.of("x", 1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"x\"");
    }

    @Test
    void nonFiniteConfigValuesAreRejected() {
        assertThatThrownBy(() -> LossFunctions.create("dro", Map.of("beta", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta");
        Map<String, Double> withNull = new HashMap<>();
        withNull.put("clip_low_threshold", null);
        assertThatThrownBy(() -> LossFunctions.create("ppo", withNull))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clip_low_threshold");
        assertThatThrownBy(() -> LossFunctions.create("cispo", Map.of("clip_high_threshold", Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clip_high_threshold");
    }

    // ------------------------------------------------------------------------------------------ validation

    @Test
    void policyLossesNeedSamplingLogprobsAndAdvantages() {
        int[] t = {1, 2};
        float[] two = {0f, 0f};
        for (String name : new String[]{"importance_sampling", "ppo", "cispo", "dro"}) {
            LossFunction loss = LossFunctions.create(name, null);
            assertThatThrownBy(() -> loss.validate(LossInputs.crossEntropy(t, null)))
                    .as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name).hasMessageContaining("logprobs");
            assertThatThrownBy(() -> loss.validate(new LossInputs(t, 1, null, two, null, null, null)))
                    .as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name).hasMessageContaining("advantages");
            assertThatThrownBy(() -> loss.validate(new LossInputs(t, 1, null, null, two, null, null)))
                    .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logprobs");
            // Soft targets are for cross-entropy only.
            assertThatThrownBy(() -> loss.validate(new LossInputs(new int[]{1, 2, 3, 4}, 2, null, two, two, null, null)))
                    .as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("one target per position");
            loss.validate(LossInputs.policyGradient(t, two, two));
        }
        new CrossEntropyLoss().validate(LossInputs.crossEntropy(t, null));
    }

    @Test
    void nonFiniteInputsAreRejected() {
        int[] t = {1, 2};
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] v = {0f, bad};
            float[] ok = {0f, 0f};
            assertThatThrownBy(() -> LossInputs.crossEntropy(t, v))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights").hasMessageContaining("non-finite");
            assertThatThrownBy(() -> LossInputs.policyGradient(t, v, ok))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logprobs").hasMessageContaining("non-finite");
            assertThatThrownBy(() -> LossInputs.policyGradient(t, ok, v))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advantages").hasMessageContaining("non-finite");
            assertThatThrownBy(() -> new LossInputs(t, 1, null, ok, ok, v, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clip_low_threshold");
            assertThatThrownBy(() -> new LossInputs(t, 1, null, ok, ok, null, v))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clip_high_threshold");
        }
    }

    @Test
    void inputLengthsMustMatchTheTargets() {
        assertThatThrownBy(() -> LossInputs.crossEntropy(new int[]{1, 2, 3}, new float[]{1f, 1f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights has 2 entries, expected 3");
        assertThatThrownBy(() -> LossInputs.policyGradient(new int[]{1, 2}, new float[]{0f}, new float[]{0f, 0f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logprobs has 1 entries, expected 2");
        assertThatThrownBy(() -> LossInputs.policyGradient(new int[]{1, 2}, new float[]{0f, 0f}, new float[]{0f, 0f, 0f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advantages has 3 entries");
        // Soft targets: 5 ids are not a multiple of K = 2; weights are per (position, target).
        assertThatThrownBy(() -> new LossInputs(new int[5], 2, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of 2");
        assertThatThrownBy(() -> new LossInputs(new int[4], 2, new float[2], null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights has 2 entries, expected 4");
        assertThatThrownBy(() -> new LossInputs(new int[4], 0, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
