package dev.luthier.cookbook.distill;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an on-policy distillation run produced.
 *
 * @param steps        optimizer steps taken
 * @param statePath    {@code tinker://.../weights/final}
 * @param samplerPath  {@code tinker://.../sampler_weights/final}
 * @param metricsFile  the run's {@code metrics.jsonl}
 * @param configFile   the run's {@code config.json}
 * @param reportFile   the run's {@code report.html} (charts of the metrics)
 * @param firstMetrics the first step's metrics ({@code reverse_kl}, {@code tokens}, ...)
 * @param lastMetrics  the last step's metrics
 * @param alreadyFinished the log directory already held this run's final checkpoint: nothing was trained, the result
 *                     was read back from it
 */
public record DistillResult(int steps, String statePath, String samplerPath, Path metricsFile, Path configFile, Path reportFile,
                            Map<String, Double> firstMetrics, Map<String, Double> lastMetrics, boolean alreadyFinished) {
    public DistillResult {
        firstMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(firstMetrics));
        lastMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(lastMetrics));
    }
}
