package dev.luthier.cookbook.problems;

import dev.luthier.cookbook.data.JsonLines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads problem sets from JSON Lines files. Blank lines are skipped; a malformed line is an
 * {@link IllegalArgumentException} naming the file, the line number and what is wrong with it.
 */
public final class ProblemFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The layouts this class reads. */
    public enum Format {
        /** {@code {"question": ..., "answer": "...#### 42"}}. */
        GSM8K,
        /** {@code {"problem": ..., "solution": "...\boxed{...}..."}}, optionally with {@code answer} and {@code unique_id}. */
        MATH,
        /** {@code {"question": ..., "answer": ...}} with the answer as it is, and an optional {@code id}. */
        PLAIN
    }

    private ProblemFiles() {
    }

    /** Loads {@code file} in {@code format}; ids are {@code <file name without extension>-<line number>} unless the file gives them. */
    public static List<Problem> load(Path file, Format format) {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        List<Problem> out = new ArrayList<>();
        JsonLines.forEach(file, "problems", (line, number) -> {
            try {
                JsonNode row = JSON.readTree(line);
                if (row == null || !row.isObject()) {
                    throw new IllegalArgumentException("not a JSON object");
                }
                String id = stem + "-" + number;
                out.add(switch (format) {
                    case GSM8K -> new Problem(id, text(row, "question"), HashMarkedAnswers.reference(text(row, "answer")));
                    case MATH -> math(row, id);
                    case PLAIN -> new Problem(row.hasNonNull("id") ? row.get("id").asText() : id, text(row, "question"),
                            scalar(row, "answer"));
                });
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + " line " + number + ": not valid JSON ("
                        + e.getOriginalMessage() + ")", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage(), e);
            }
        });
        return out;
    }

    public static List<Problem> gsm8k(Path file) {
        return load(file, Format.GSM8K);
    }

    public static List<Problem> math(Path file) {
        return load(file, Format.MATH);
    }

    private static Problem math(JsonNode row, String id) {
        String problem = text(row, "problem");
        String answer;
        if (row.hasNonNull("answer")) {
            answer = scalar(row, "answer");
        } else {
            answer = BoxedAnswers.last(text(row, "solution")).orElseThrow(() ->
                    new IllegalArgumentException("the solution has no \\boxed{...} answer (or its braces do not close)"));
        }
        return new Problem(row.hasNonNull("unique_id") ? row.get("unique_id").asText() : id, problem, answer);
    }

    private static String text(JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field \"" + field + "\"");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field \"" + field + "\" is not a string");
        }
        return v.asText();
    }

    /** A string or a number (SVAMP-like files give numeric answers); numbers lose a trailing {@code .0}. */
    private static String scalar(JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field \"" + field + "\"");
        }
        if (v.isNumber()) {
            return ExactNumber.of(v.decimalValue()).toString();
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field \"" + field + "\" is not a string or number");
        }
        return v.asText();
    }
}
