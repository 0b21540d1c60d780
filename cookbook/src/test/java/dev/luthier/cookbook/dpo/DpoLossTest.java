package dev.luthier.cookbook.dpo;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.client.training.CustomLoss;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DpoLossTest {

    /** -log σ(x) written the plain way, as an independent reference. */
    private static double nll(double x) {
        return -Math.log(1 / (1 + Math.exp(-x)));
    }

    @Test
    void onePairMatchesTheHandComputedClosedForm() {
        // chosen reply logprob -2 (prompt token weight 0), reference -2.5: log-ratio +0.5
        // rejected reply logprob -3, reference -2: log-ratio -1; Δ = 1.5, β = 0.5, βΔ = 0.75
        var loss = new DpoLoss(0.5, new double[]{-2.5, -2.0});
        var stats = loss.evaluate(List.of(new float[]{-1f, -2f}, new float[]{-0.5f, -3f}),
                List.of(new float[]{0f, 1f}, new float[]{0f, 1f}), null);
        assertThat(stats.loss()).isCloseTo(Math.log(1 + Math.exp(-0.75)), within(1e-12));
        assertThat(stats.loss()).isCloseTo(0.3868710061, within(1e-9)); // log(1 + e^-0.75) by hand
        assertThat(stats.accuracy()).isEqualTo(1.0);
        assertThat(stats.chosenReward()).isCloseTo(0.25, within(1e-12));
        assertThat(stats.rejectedReward()).isCloseTo(-0.5, within(1e-12));
        assertThat(stats.margin()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void policyEqualToReferenceGivesLog2AndNoAccuracy() {
        var loss = new DpoLoss(0.1, new double[]{-3.0, -4.0, -1.0, -2.0});
        List<float[]> gradients = new ArrayList<>();
        var stats = loss.evaluate(List.of(new float[]{-1f, -2f}, new float[]{-4f}, new float[]{-1f}, new float[]{-0.5f, -1.5f}),
                List.of(new float[]{1f, 1f}, new float[]{1f}, new float[]{1f}, new float[]{1f, 1f}), gradients);
        assertThat(stats.loss()).isCloseTo(Math.log(2), within(1e-12));
        assertThat(stats.accuracy()).isZero(); // a zero margin is not a win
        assertThat(stats.margin()).isZero();
        // σ(0) = 1/2: every weighted token gets β/2 per pair, divided by the 2 pairs
        assertThat(gradients.get(0)).containsExactly(-0.025f, -0.025f);
        assertThat(gradients.get(1)).containsExactly(0.025f);
        assertThat(gradients.get(3)).containsExactly(0.025f, 0.025f);
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheLoss() {
        double beta = 0.7;
        double[] refs = {-5.0, -4.0, -2.0, -6.5};
        List<float[]> lp = List.of(new float[]{-0.3f, -1.2f, -2.1f, -0.4f}, new float[]{-0.9f, -1.7f, -0.2f},
                new float[]{-1.1f, -0.6f}, new float[]{-2.2f, -1.9f, -3.0f});
        List<float[]> w = List.of(new float[]{0f, 1f, 1f, 0.5f}, new float[]{0f, 1f, 1f},
                new float[]{1f, 1f}, new float[]{0f, 0f, 1f});
        var loss = new DpoLoss(beta, refs);
        List<float[]> gradients = new ArrayList<>();
        loss.evaluate(lp, w, gradients);
        for (int d = 0; d < lp.size(); d++) {
            for (int t = 0; t < lp.get(d).length; t++) {
                double numeric = centralDifference(beta, refs, lp, w, d, t);
                assertThat((double) gradients.get(d)[t]).as("datum %d token %d", d, t).isCloseTo(numeric, within(2e-4));
            }
        }
        // an unweighted (prompt) token has no gradient, whatever its logprob
        assertThat(gradients.get(0)[0]).isZero();
        assertThat(gradients.get(3)[1]).isZero();
    }

    /** (L(x+h) − L(x−h)) / 2h with L written out independently of DpoLoss. */
    private static double centralDifference(double beta, double[] refs, List<float[]> lp, List<float[]> w, int d, int t) {
        double h = 1e-3;
        double up = plainLoss(beta, refs, lp, w, d, t, h);
        double down = plainLoss(beta, refs, lp, w, d, t, -h);
        return (up - down) / (2 * h);
    }

    private static double plainLoss(double beta, double[] refs, List<float[]> lp, List<float[]> w, int d, int t, double shift) {
        double total = 0;
        int pairs = refs.length / 2;
        for (int p = 0; p < pairs; p++) {
            double[] sums = new double[2];
            for (int k = 0; k < 2; k++) {
                int i = 2 * p + k;
                for (int j = 0; j < lp.get(i).length; j++) {
                    double x = lp.get(i)[j] + (i == d && j == t ? shift : 0);
                    sums[k] += w.get(i)[j] * x;
                }
            }
            total += nll(beta * ((sums[0] - refs[2 * p]) - (sums[1] - refs[2 * p + 1])));
        }
        return total / pairs;
    }

    @Test
    void asCustomLossReadsWeightsFromTheDatumsAndNamesMetricsForTheSdk() {
        Datum chosen = datum(new int[]{5, 6, 7}, new float[]{0f, 1f, 1f});
        Datum rejected = datum(new int[]{5, 9}, new float[]{0f, 1f});
        CustomLoss.Result r = new DpoLoss(1.0, new double[]{-1.0, -1.0})
                .compute(List.of(chosen, rejected), List.of(new float[]{-9f, -0.25f, -0.25f}, new float[]{-9f, -2f}));
        // Δ = (-0.5 + 1) - (-2 + 1) = 1.5
        assertThat(r.loss()).isCloseTo(nll(1.5), within(1e-9));
        assertThat(r.metrics()).containsOnlyKeys("dpo_loss:mean", "accuracy:mean", "chosen_reward:mean",
                "rejected_reward:mean", "margin:mean");
        assertThat(r.metrics().get("margin:mean")).isCloseTo(1.5, within(1e-9));
        double g = 1 / (1 + Math.exp(1.5)); // β σ(-βΔ)
        assertThat(r.gradients().get(0)[0]).isZero();
        assertThat((double) r.gradients().get(0)[1]).isCloseTo(-g, within(1e-7));
        assertThat((double) r.gradients().get(1)[1]).isCloseTo(g, within(1e-7));
    }

    @Test
    void largeMarginsStayFinite() {
        var stats = new DpoLoss(1.0, new double[]{0, 0}).evaluate(List.of(new float[]{-1000f}, new float[]{0f}),
                List.of(new float[]{1f}, new float[]{1f}), new ArrayList<>());
        assertThat(stats.loss()).isCloseTo(1000.0, within(1e-9));
    }

    @Test
    void rejectsBatchesThatAreNotPairsAndBadBeta() {
        assertThatThrownBy(() -> new DpoLoss(0.1, new double[]{1, 2, 3})).hasMessageContaining("even");
        assertThatThrownBy(() -> new DpoLoss(0, new double[]{1, 2})).hasMessageContaining("beta");
        assertThatThrownBy(() -> new DpoLoss(0.1, new double[]{1, 2}).compute(List.of(datum(new int[]{1}, new float[]{1f})),
                List.of(new float[]{0f}))).hasMessageContaining("built for 2 datums");
    }

    private static Datum datum(int[] targets, float[] weights) {
        return new Datum(ModelInput.ofTokens(targets), Map.of("target_tokens", TensorData.ofInts(targets, targets.length),
                "weights", TensorData.ofFloats(weights, weights.length)));
    }
}
