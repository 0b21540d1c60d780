package dev.luthier.cookbook.dpo;

import dev.luthier.api.input.Datum;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.client.training.CustomLoss;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DPO loss (Rafailov et al., 2023) as a {@link CustomLoss}. The batch holds pairs as consecutive datums, chosen
 * then rejected. With {@code s(x) = Σ_t w_t·logπ(x_t)} over a reply's weighted tokens (the prompt has weight 0) and
 * {@code ref(x)} the same sum under the frozen reference model, each pair contributes
 * <pre>
 *   Δ = (s(chosen) − ref(chosen)) − (s(rejected) − ref(rejected))
 *   loss = −log σ(β·Δ)
 * </pre>
 * and the batch loss is the mean over pairs. Its gradient with respect to a token's log-probability is
 * {@code ∓ β·σ(−βΔ)·w_t / pairs} (minus for chosen tokens, plus for rejected ones).
 *
 * <p>Metrics: {@code dpo_loss}, {@code accuracy} (fraction of pairs with Δ > 0), {@code chosen_reward} and
 * {@code rejected_reward} (means of β·(s − ref)), {@code margin} (mean of their difference, β·Δ).
 */
public final class DpoLoss implements CustomLoss {
    private final double beta;
    private final double[] referenceSums;

    /**
     * @param beta          the DPO temperature
     * @param referenceSums per datum of the batch (chosen, rejected, chosen, ...), the reference model's summed
     *                      weighted log-probability of its reply
     */
    public DpoLoss(double beta, double[] referenceSums) {
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be positive, got " + beta);
        }
        if (referenceSums.length == 0 || referenceSums.length % 2 != 0) {
            throw new IllegalArgumentException("a DPO batch holds pairs: an even, positive number of datums, got "
                    + referenceSums.length);
        }
        this.beta = beta;
        this.referenceSums = referenceSums.clone();
    }

    /** The batch's statistics: the loss and the metrics above. */
    public record Stats(double loss, double accuracy, double chosenReward, double rejectedReward, double margin, int pairs) {
        /** The metrics as {@code metrics.jsonl} names them. */
        public Map<String, Double> asMetrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("dpo_loss", loss);
            m.put("accuracy", accuracy);
            m.put("chosen_reward", chosenReward);
            m.put("rejected_reward", rejectedReward);
            m.put("margin", margin);
            return m;
        }
    }

    @Override
    public Result compute(List<Datum> data, List<float[]> logprobs) {
        if (data.size() != referenceSums.length || logprobs.size() != referenceSums.length) {
            throw new IllegalArgumentException("the DPO loss was built for " + referenceSums.length + " datums, got "
                    + data.size() + " datums and " + logprobs.size() + " logprob rows");
        }
        List<float[]> weights = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            weights.add(weightsOf(data.get(i), logprobs.get(i).length));
        }
        List<float[]> gradients = new ArrayList<>(data.size());
        Stats stats = evaluate(logprobs, weights, gradients);
        Map<String, Double> metrics = new LinkedHashMap<>();
        stats.asMetrics().forEach((k, v) -> metrics.put(k + ":mean", v));
        return new Result(stats.loss(), gradients, metrics);
    }

    /**
     * The loss and metrics for per-token policy log-probabilities and weights (one row per datum); when
     * {@code gradientsOut} is not null, dLoss/dlogprob for every token is added to it, one row per datum.
     */
    public Stats evaluate(List<float[]> logprobs, List<float[]> weights, List<float[]> gradientsOut) {
        int pairs = referenceSums.length / 2;
        double loss = 0;
        double correct = 0;
        double chosenReward = 0;
        double rejectedReward = 0;
        for (int p = 0; p < pairs; p++) {
            int c = 2 * p;
            int r = c + 1;
            double chosenLogratio = weightedSum(logprobs.get(c), weights.get(c)) - referenceSums[c];
            double rejectedLogratio = weightedSum(logprobs.get(r), weights.get(r)) - referenceSums[r];
            double z = beta * (chosenLogratio - rejectedLogratio);
            loss += softplus(-z);
            correct += z > 0 ? 1 : 0;
            chosenReward += beta * chosenLogratio;
            rejectedReward += beta * rejectedLogratio;
            if (gradientsOut != null) {
                // d/dz softplus(-z) = -σ(-z); dz/dlogπ(chosen_t) = β·w_t, dz/dlogπ(rejected_t) = -β·w_t
                double g = beta * sigmoid(-z) / pairs;
                gradientsOut.add(scaled(weights.get(c), -g));
                gradientsOut.add(scaled(weights.get(r), g));
            }
        }
        return new Stats(loss / pairs, correct / pairs, chosenReward / pairs, rejectedReward / pairs,
                (chosenReward - rejectedReward) / pairs, pairs);
    }

    static float[] weightsOf(Datum d, int length) {
        TensorData w = d.lossFnInputs().get("weights");
        if (w == null) {
            float[] ones = new float[length];
            java.util.Arrays.fill(ones, 1f);
            return ones;
        }
        float[] out = w.toFloats();
        if (out.length != length) {
            throw new IllegalArgumentException("a datum has " + out.length + " weights for " + length + " target tokens");
        }
        return out;
    }

    static double weightedSum(float[] values, float[] weights) {
        if (values.length != weights.length) {
            throw new IllegalArgumentException(values.length + " log-probabilities for " + weights.length + " weights");
        }
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            if (weights[i] != 0) {
                s += (double) weights[i] * values[i];
            }
        }
        return s;
    }

    private static float[] scaled(float[] w, double factor) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = (float) (w[i] * factor);
        }
        return out;
    }

    /** log(1 + e^x) without overflow. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
