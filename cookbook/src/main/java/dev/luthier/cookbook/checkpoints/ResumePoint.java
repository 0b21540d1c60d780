package dev.luthier.cookbook.checkpoints;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cookbook.metrics.MetricsLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a run started on a log directory begins: at step 0, or, when the directory's {@code checkpoints.jsonl}
 * names a saved state, at that checkpoint's step with its weights and optimizer state (the cookbook's resume from
 * {@code checkpoints.jsonl}).
 *
 * @param checkpoint the checkpoint to load, or empty to start afresh
 */
public record ResumePoint(Optional<CheckpointRecord> checkpoint) {

    /** The first step still to run. */
    public long step() {
        return checkpoint.map(CheckpointRecord::step).orElse(0L);
    }

    /**
     * Finds where a run on {@code logDir} of {@code totalSteps} steps begins and prepares its {@code metrics.jsonl}:
     * the lines of the steps it will run again are dropped (all of them when it starts afresh).
     *
     * @param identity what must match between the saved run and this one (data size, batch size, seed ...); it is
     *                 also what the run should store as the {@code extra} of its checkpoints
     * @throws IllegalArgumentException when the checkpoint was made with another identity, or lies past
     *                                  {@code totalSteps}
     */
    public static ResumePoint find(Path logDir, Map<String, Object> identity, long totalSteps) {
        Optional<CheckpointRecord> last = new CheckpointLog(logDir).lastWithState();
        last.ifPresent(r -> requireSameRun(logDir, r, identity));
        ResumePoint point = new ResumePoint(last);
        if (point.step() > totalSteps) {
            throw new IllegalArgumentException("cannot resume from " + logDir + ": its last checkpoint is at step "
                    + point.step() + ", past this run's " + totalSteps + " steps (raise the steps, or use another logDir)");
        }
        trimMetricsFrom(logDir, point.step());
        return point;
    }

    private static void requireSameRun(Path logDir, CheckpointRecord last, Map<String, Object> identity) {
        for (var e : identity.entrySet()) {
            Object saved = last.extra().get(e.getKey());
            if (saved != null && !String.valueOf(saved).equals(String.valueOf(e.getValue()))) {
                throw new IllegalArgumentException("cannot resume from " + logDir + ": its checkpoints were made with "
                        + e.getKey() + "=" + saved + ", this run has " + e.getValue() + " (use another logDir to start afresh)");
            }
        }
    }

    /** A resumed run repeats the steps after its checkpoint; their earlier lines would be duplicates. */
    private static void trimMetricsFrom(Path logDir, long step) {
        Path file = logDir.resolve(MetricsLog.FILE_NAME);
        if (!Files.exists(file)) {
            return;
        }
        try {
            if (step == 0) {
                Files.delete(file);
                return;
            }
            List<String> keep = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    if (!line.isBlank() && json.readTree(line).path("step").asLong() < step) {
                        keep.add(line);
                    }
                } catch (IOException e) {
                    // a line cut short when the previous run was killed
                }
            }
            Files.write(file, keep, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }
}
