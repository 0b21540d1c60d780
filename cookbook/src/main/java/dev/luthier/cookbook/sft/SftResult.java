package dev.luthier.cookbook.sft;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a supervised run leaves: the final adapter for sampling ({@code tinker://.../sampler_weights/final}) and the
 * final resumable state ({@code tinker://.../weights/final}), the number of completed steps, the last step's
 * training metrics and the last held-out evaluation (empty without held-out data). {@code alreadyFinished}: the log
 * directory already held this run's final checkpoint, so nothing was trained and the result was read back from it.
 */
public record SftResult(String samplerPath, String statePath, long steps, Map<String, Double> trainMetrics,
                        Map<String, Double> evalMetrics, Path logDir, boolean alreadyFinished) {

    public SftResult {
        trainMetrics = Map.copyOf(trainMetrics);
        evalMetrics = Map.copyOf(evalMetrics);
    }
}
