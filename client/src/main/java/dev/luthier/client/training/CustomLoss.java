package dev.luthier.client.training;

import dev.luthier.api.input.Datum;

import java.util.List;

/**
 * A loss computed on the client from the model's per-token log-probabilities, for
 * {@link TrainingClient#forwardBackwardCustom}. Given the batch and, per datum, the log-probability of each target
 * token (flattened in the target's shape), it returns the loss value, its gradient with respect to every one of those
 * log-probabilities, and metrics to report.
 */
@FunctionalInterface
public interface CustomLoss {
    Result compute(List<Datum> data, List<float[]> logprobs);

    /**
     * @param loss      the loss value, reported as the result's {@code loss:sum} (unless {@code metrics} sets that key)
     * @param gradients per datum, dLoss/dlogprob for each target token (same lengths as the log-probabilities)
     * @param metrics   extra metrics merged into the result; keys must be {@code name:reduction}
     */
    record Result(double loss, List<float[]> gradients, java.util.Map<String, Double> metrics) {
        public Result {
            gradients = List.copyOf(gradients);
            metrics = metrics == null ? java.util.Map.of() : java.util.Map.copyOf(metrics);
        }
    }
}
