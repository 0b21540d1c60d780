package dev.luthier.cookbook.rl;

import java.util.Map;

/**
 * What an environment returns for one action: the reward of this step, whether the episode is over, the next
 * observation (null when it is over) and per-step metrics (e.g. {@code correct}, {@code format}, each 0 or 1) that
 * the trainer averages into {@code env/<name>}.
 */
public record StepResult(double reward, boolean episodeDone, Observation nextObservation, Map<String, Double> metrics) {
    public StepResult {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
        if (!episodeDone && nextObservation == null) {
            throw new IllegalArgumentException("an episode that goes on needs a next observation");
        }
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    public static StepResult done(double reward, Map<String, Double> metrics) {
        return new StepResult(reward, true, null, metrics);
    }
}
