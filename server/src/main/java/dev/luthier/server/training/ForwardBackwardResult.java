package dev.luthier.server.training;

import java.util.List;
import java.util.Map;

/** Per datum the target log-probabilities (shaped like its targets), and metrics keyed {@code name:reduction}. */
public record ForwardBackwardResult(List<DatumOutput> outputs, Map<String, Double> metrics) {
    public record DatumOutput(float[] logprobs, int[] shape) {
    }
}
