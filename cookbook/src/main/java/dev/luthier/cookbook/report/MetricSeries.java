package dev.luthier.cookbook.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One numeric metric of a run as (step, value) points, in the order they were logged. Non-finite values and
 * non-numeric fields are not plotted.
 */
public record MetricSeries(String name, double[] steps, double[] values) {

    public MetricSeries {
        if (steps.length != values.length) {
            throw new IllegalArgumentException(steps.length + " steps but " + values.length + " values");
        }
    }

    public int size() {
        return steps.length;
    }

    public double last() {
        return values[values.length - 1];
    }

    /**
     * Every numeric metric of a {@code metrics.jsonl}, in order of first appearance. A line that is not a JSON object
     * with a numeric {@code step} is an error naming the line, except a last line cut short (a run killed mid-write).
     */
    public static List<MetricSeries> read(Path metricsJsonl) {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(metricsJsonl, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsJsonl + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(text);
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break;
                }
                throw new IllegalArgumentException(metricsJsonl + ":" + (i + 1) + ": not valid JSON", e);
            }
            if (!node.isObject() || !node.path("step").isNumber()) {
                throw new IllegalArgumentException(metricsJsonl + ":" + (i + 1) + ": expected an object with a numeric \"step\"");
            }
            double step = node.get("step").asDouble();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("step") || !f.getValue().isNumber()) {
                    continue;
                }
                double v = f.getValue().asDouble();
                if (Double.isFinite(v)) {
                    points.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(new double[]{step, v});
                }
            }
        }
        List<MetricSeries> out = new ArrayList<>();
        points.forEach((name, pts) -> {
            double[] xs = new double[pts.size()];
            double[] ys = new double[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                xs[i] = pts.get(i)[0];
                ys[i] = pts.get(i)[1];
            }
            out.add(new MetricSeries(name, xs, ys));
        });
        return out;
    }
}
