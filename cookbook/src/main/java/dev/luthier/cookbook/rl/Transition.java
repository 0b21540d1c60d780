package dev.luthier.cookbook.rl;

import java.util.Map;
import java.util.Objects;

/**
 * One turn of an episode: the observation, the sampled action tokens with the sampler's log-probability of each,
 * and what the environment returned for them.
 */
public record Transition(Observation observation, int[] action, float[] logprobs, double reward, boolean episodeDone,
                         Map<String, Double> metrics) {
    public Transition {
        Objects.requireNonNull(observation, "observation");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(logprobs, "logprobs");
        if (logprobs.length != action.length) {
            throw new IllegalArgumentException(logprobs.length + " logprobs for " + action.length + " action tokens");
        }
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }
}
