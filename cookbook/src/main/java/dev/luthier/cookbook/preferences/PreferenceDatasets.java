package dev.luthier.cookbook.preferences;

import dev.luthier.cookbook.data.JsonLines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cookbook.renderers.Message;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads preference pairs from JSONL files (plain or {@code .gz}), one comparison per line, in the formats of
 * {@link PreferenceFormat}. Blank lines are ignored; any other line that cannot be read is an error naming the file,
 * the line number and what is wrong with it.
 */
public final class PreferenceDatasets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceDatasets() {
    }

    /** Every pair of {@code file}; the first malformed line is an error. */
    public static List<PreferencePair> load(Path file, PreferenceFormat format) {
        return read(file, format, false).pairs();
    }

    /** Every readable pair of {@code file}, and the malformed lines (as error messages) that were left out. */
    public static Loaded loadSkippingMalformed(Path file, PreferenceFormat format) {
        return read(file, format, true);
    }

    /** Pairs read from a file and the lines left out, each as {@code file:line: reason}. */
    public record Loaded(List<PreferencePair> pairs, List<String> skipped) {
        public Loaded {
            pairs = List.copyOf(pairs);
            skipped = List.copyOf(skipped);
        }
    }

    private static Loaded read(Path file, PreferenceFormat format, boolean skipMalformed) {
        List<PreferencePair> pairs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        JsonLines.forEach(file, "preference data", (line, number) -> {
            try {
                pairs.add(parseLine(line, format));
            } catch (IllegalArgumentException e) {
                String where = file + ":" + number + ": " + e.getMessage();
                if (!skipMalformed) {
                    throw new IllegalArgumentException(where, e);
                }
                skipped.add(where);
            }
        });
        return new Loaded(pairs, skipped);
    }

    /** One JSONL line as a pair. */
    public static PreferencePair parseLine(String line, PreferenceFormat format) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        PreferenceFormat f = format != PreferenceFormat.AUTO ? format
                : node.has("prompt") ? PreferenceFormat.GENERIC : PreferenceFormat.HH_RLHF;
        return f == PreferenceFormat.HH_RLHF ? hhRlhf(node) : generic(node);
    }

    private static PreferencePair hhRlhf(JsonNode node) {
        return HhRlhfTranscript.pair(requireText(node, "chosen"), requireText(node, "rejected"));
    }

    private static PreferencePair generic(JsonNode node) {
        JsonNode prompt = node.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw new IllegalArgumentException("missing \"prompt\"");
        }
        return new PreferencePair(ChatJson.conversation(prompt, "prompt"), reply(node, "chosen"), reply(node, "rejected"));
    }

    private static Message reply(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing \"" + field + "\"");
        }
        if (v.isTextual()) {
            return Message.assistant(v.asText());
        }
        Message m;
        if (v.isArray()) {
            if (v.size() != 1) {
                throw new IllegalArgumentException("\"" + field + "\" must hold exactly one assistant message, got " + v.size());
            }
            m = ChatJson.message(v.get(0), field + "[0]");
        } else {
            m = ChatJson.message(v, field);
        }
        if (!m.role().equals("assistant")) {
            throw new IllegalArgumentException("\"" + field + "\" must be an assistant message, got role " + m.role());
        }
        return m;
    }

    private static String requireText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing \"" + field + "\"");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a transcript string, got " + v.getNodeType());
        }
        return v.asText();
    }
}
