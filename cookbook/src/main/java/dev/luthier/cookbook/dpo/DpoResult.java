package dev.luthier.cookbook.dpo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a DPO run produced.
 *
 * @param steps        optimizer steps taken
 * @param pairs        preference pairs trained on (after leaving out those over {@code maxLength})
 * @param droppedPairs pairs left out for length
 * @param statePath    {@code tinker://.../weights/final}: weights and optimizer state, to resume or continue from
 * @param samplerPath  {@code tinker://.../sampler_weights/final}: the adapter for sampling
 * @param metricsFile  the run's {@code metrics.jsonl}
 * @param configFile   the run's {@code config.json}
 * @param reportFile   the run's {@code report.html} (charts of the metrics)
 * @param firstMetrics the first step's metrics
 * @param lastMetrics  the last step's metrics ({@code dpo_loss}, {@code accuracy}, {@code margin}, ...)
 * @param testMetrics  the held-out pairs' metrics after the last step ({@code test/dpo_loss}, ...); empty without
 *                     held-out pairs
 * @param alreadyFinished the log directory already held this run's final checkpoint: nothing was trained, the result
 *                     was read back from it
 */
public record DpoResult(int steps, int pairs, int droppedPairs, String statePath, String samplerPath, Path metricsFile,
                        Path configFile, Path reportFile, Map<String, Double> firstMetrics, Map<String, Double> lastMetrics,
                        Map<String, Double> testMetrics, boolean alreadyFinished) {
    public DpoResult {
        firstMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(firstMetrics));
        lastMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(lastMetrics));
        testMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(testMetrics));
    }
}
