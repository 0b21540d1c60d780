package dev.luthier.cookbook.rl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an RL run leaves: the final weights for sampling ({@code tinker://.../sampler_weights/final}) and for
 * resuming training ({@code tinker://.../weights/final}), the last step's metrics (with the {@code test/} metrics
 * of the final evaluation, when the run evaluates), and every line of {@code metrics.jsonl} in order, each with
 * {@code step} (the final evaluation is a line of its own, at {@code step = steps}). {@code alreadyFinished}: the
 * log directory already held this run's final checkpoint, so nothing ran and the result was read back.
 */
public record RlResult(String samplerPath, String statePath, Map<String, Double> finalMetrics,
                       List<Map<String, Double>> history, boolean alreadyFinished) {
    public RlResult {
        finalMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(finalMetrics));
        history = history.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
    }
}
