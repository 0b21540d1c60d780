package dev.luthier.cookbook.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recipe's {@code metrics.jsonl}: one JSON object per line, each with {@code step} and the metrics of that step.
 * Lines are appended and flushed at once, so a run that is killed keeps everything it logged, and a resumed run
 * continues the same file.
 */
public final class MetricsLog implements AutoCloseable {
    public static final String FILE_NAME = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Opens (creating the directory) {@code logDir/metrics.jsonl} for appending. */
    public static MetricsLog open(Path logDir) {
        try {
            Files.createDirectories(logDir);
            Path file = logDir.resolve(FILE_NAME);
            return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics log in " + logDir + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends one line {@code {"step": step, ...metrics}}. Values are numbers, strings or booleans. */
    public synchronized void log(long step, Map<String, ?> metrics) {
        ObjectNode line = JSON.createObjectNode();
        line.put("step", step);
        metrics.forEach((k, v) -> line.set(k, JSON.valueToTree(v)));
        try {
            out.write(JSON.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The numeric fields of every line of {@code logDir/metrics.jsonl} (with {@code step}), oldest first; none when the
     * file does not exist. A line cut short (a run killed mid-write) is left out.
     */
    public static List<Map<String, Double>> read(Path logDir) {
        Path file = logDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Map<String, Double>> out = new ArrayList<>();
        for (String line : lines(file)) {
            JsonNode node = parse(line);
            if (node == null) {
                continue;
            }
            Map<String, Double> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isNumber()) {
                    m.put(f.getKey(), f.getValue().asDouble());
                }
            }
            out.add(m);
        }
        return out;
    }

    /**
     * The first of {@code lines} (as {@link #read} gives them) that has {@code key}, without its {@code step}; empty
     * when none has. With {@code lines.reversed()}, the last such line: what a finished run's result reports.
     */
    public static Map<String, Double> firstWith(List<Map<String, Double>> lines, String key) {
        for (Map<String, Double> line : lines) {
            if (line.containsKey(key)) {
                Map<String, Double> m = new LinkedHashMap<>(line);
                m.remove("step");
                return m;
            }
        }
        return Map.of();
    }

    /**
     * Removes the lines of {@code logDir/metrics.jsonl} logged at {@code step} or later (the whole file for step 0): a
     * run resumed at {@code step} logs those steps again, and the earlier lines would be duplicates.
     */
    public static void dropFrom(Path logDir, long step) {
        Path file = logDir.resolve(FILE_NAME);
        try {
            if (step == 0) {
                Files.deleteIfExists(file);
                return;
            }
            if (!Files.exists(file)) {
                return;
            }
            List<String> keep = new ArrayList<>();
            for (String line : lines(file)) {
                JsonNode node = parse(line);
                if (node != null && node.path("step").asLong() < step) {
                    keep.add(line);
                }
            }
            Files.write(file, keep, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON object of a line, or null for a blank line or one cut short when the previous run was killed. */
    private static JsonNode parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
