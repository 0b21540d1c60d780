package dev.luthier.client.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines the metrics of forward_backward chunks by the suffix of each key ({@code name:reduction}), as the Python
 * SDK does: {@code sum} adds, {@code min}/{@code max} take the extreme, {@code mean} and {@code slack} are weighted by
 * the chunks' datum counts, {@code unique} keeps the first value and adds {@code key_2}, {@code key_3} ... for the
 * others, {@code hash_unordered} adds (an order-free combination). Keys missing from some chunk, or with an unknown
 * reduction, are dropped.
 */
public final class MetricReduction {
    private MetricReduction() {
    }

    public static Map<String, Double> reduce(List<Map<String, Double>> chunks, List<Integer> datums) {
        if (chunks.size() != datums.size()) {
            throw new IllegalArgumentException(chunks.size() + " metric maps but " + datums.size() + " datum counts");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (chunks.isEmpty()) {
            return out;
        }
        if (chunks.size() == 1) {
            out.putAll(chunks.getFirst());
            return out;
        }
        double total = datums.stream().mapToInt(Integer::intValue).sum();
        for (String key : chunks.getFirst().keySet()) {
            if (!chunks.stream().allMatch(m -> m.containsKey(key))) {
                continue;
            }
            List<Double> values = new ArrayList<>();
            chunks.forEach(m -> values.add(m.get(key)));
            String reduction = key.substring(key.lastIndexOf(':') + 1);
            switch (reduction) {
                case "sum", "hash_unordered" -> out.put(key, values.stream().mapToDouble(Double::doubleValue).sum());
                case "min" -> out.put(key, values.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
                case "max" -> out.put(key, values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
                case "mean", "slack" -> {
                    double s = 0;
                    for (int i = 0; i < values.size(); i++) {
                        s += values.get(i) * datums.get(i);
                    }
                    out.put(key, total == 0 ? 0 : s / total);
                }
                case "unique" -> {
                    out.put(key, values.getFirst());
                    for (int i = 1; i < values.size(); i++) {
                        out.put(key + "_" + (i + 1), values.get(i));
                    }
                }
                default -> {
                    // unknown reduction: dropped
                }
            }
        }
        return out;
    }
}
