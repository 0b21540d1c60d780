package dev.luthier.cookbook.checkpoints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's {@code checkpoints.jsonl}: one {@link CheckpointRecord} per line, appended when the server has confirmed
 * the save, so the file only names checkpoints that exist.
 */
public final class CheckpointLog {
    public static final String FILE_NAME = "checkpoints.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;

    public CheckpointLog(Path logDir) {
        this.file = logDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    public synchronized void append(CheckpointRecord record) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every record, oldest first; none when the file does not exist. */
    public List<CheckpointRecord> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<CheckpointRecord> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readValue(lines.get(i), CheckpointRecord.class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a checkpoint record: " + e.getOriginalMessage(), e);
            }
        }
        return out;
    }

    /** The last record that has a training state (what a run resumes from). */
    public Optional<CheckpointRecord> lastWithState() {
        List<CheckpointRecord> all = read();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).statePath() != null) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }
}
