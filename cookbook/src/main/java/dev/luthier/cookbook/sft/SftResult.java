package dev.luthier.cookbook.sft;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a supervised run leaves: the final adapter for sampling ({@code tinker://.../sampler_weights/final}) and the
 * final resumable state ({@code tinker://.../weights/final}), the number of completed steps, the last step's
 * training metrics and the last held-out evaluation (empty without held-out data).
 */
public record SftResult(String samplerPath, String statePath, long steps, Map<String, Double> trainMetrics,
                        Map<String, Double> evalMetrics, Path logDir) {

    public SftResult {
        trainMetrics = Map.copyOf(trainMetrics);
        evalMetrics = Map.copyOf(evalMetrics);
    }
}
