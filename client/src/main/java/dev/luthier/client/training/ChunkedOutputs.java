package dev.luthier.client.training;

import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Joins the outputs of a chunked forward/forward_backward: outputs concatenated in chunk order, metrics reduced. */
final class ChunkedOutputs {
    private ChunkedOutputs() {
    }

    static ForwardBackwardOutput combine(List<ForwardBackwardOutput> parts, List<Integer> sizes) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        List<Map<String, TensorData>> outputs = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        for (ForwardBackwardOutput p : parts) {
            outputs.addAll(p.lossFnOutputs());
            metrics.add(p.metrics());
        }
        return new ForwardBackwardOutput(parts.getFirst().lossFnOutputType(), outputs, MetricReduction.reduce(metrics, sizes));
    }
}
