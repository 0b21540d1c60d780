package dev.luthier.cookbook.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cookbook.renderers.Message;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads chat data sets. Two record layouts are understood, and may be mixed in one file:
 * <ul>
 *   <li>OpenAI-style {@code {"messages": [{"role": "user", "content": "..."}, ...]}} (an assistant message may
 *       carry {@code "thinking"});</li>
 *   <li>ShareGPT-style {@code {"conversations": [{"from": "human", "value": "..."}, ...]}}, where {@code from} is
 *       {@code system}, {@code human}/{@code user}, or {@code gpt}/{@code assistant}.</li>
 * </ul>
 * A {@code .jsonl} file holds one record per line (blank lines are skipped); any other file is read as JSONL unless
 * it starts with {@code [}, in which case it is one JSON array of records (the usual ShareGPT dump). Every problem
 * is a {@link DataFormatException} naming the file and line.
 */
public final class ConversationFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> SHAREGPT_ROLES = Map.of(
            "system", "system", "human", "user", "user", "user", "gpt", "assistant", "assistant", "assistant");

    private ConversationFiles() {
    }

    /** Every conversation of {@code file}, in file order. */
    public static List<Conversation> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no data file " + file);
        }
        try {
            return startsWithArray(file) ? readArray(file) : readLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The conversations of several files, one after the other. */
    public static List<Conversation> readAll(List<Path> files) {
        List<Conversation> out = new ArrayList<>();
        for (Path f : files) {
            out.addAll(read(f));
        }
        return out;
    }

    private static boolean startsWithArray(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = r.read()) >= 0) {
                if (c == '\uFEFF' || Character.isWhitespace(c)) {
                    continue;
                }
                return c == '[';
            }
            return false;
        }
    }

    private static List<Conversation> readLines(Path file) {
        List<Conversation> out = new ArrayList<>();
        JsonLines.forEach(file, "conversations", (text, line) -> {
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new DataFormatException(file, line, "not valid JSON: " + e.getOriginalMessage());
            }
            out.add(conversation(node, file, line));
        });
        return out;
    }

    private static List<Conversation> readArray(Path file) throws IOException {
        List<Conversation> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            try {
                p.nextToken();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == null) {
                        throw new DataFormatException(file, p.currentLocation().getLineNr(), "the JSON array is not closed");
                    }
                    long line = p.currentLocation().getLineNr();
                    JsonNode node = JSON.readTree(p);
                    out.add(conversation(node, file, line));
                }
            } catch (JsonProcessingException e) {
                throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                        "not valid JSON: " + e.getOriginalMessage());
            }
        }
        return out;
    }

    /** One record as a conversation; {@code file} and {@code line} only name it in errors. */
    public static Conversation conversation(JsonNode node, Path file, long line) {
        if (!node.isObject()) {
            throw new DataFormatException(file, line, "expected a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        String source = file + ":" + line;
        if (node.has("messages")) {
            return new Conversation(openAiMessages(node.get("messages"), file, line), source);
        }
        if (node.has("conversations")) {
            return new Conversation(shareGptMessages(node.get("conversations"), file, line), source);
        }
        throw new DataFormatException(file, line, "expected a \"messages\" or \"conversations\" list, found keys "
                + fieldNames(node));
    }

    private static List<Message> openAiMessages(JsonNode list, Path file, long line) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < requireList(list, "messages", file, line); i++) {
            JsonNode m = list.get(i);
            String where = "messages[" + i + "]";
            String role = requireText(m, "role", where, file, line);
            String content = requireText(m, "content", where, file, line);
            JsonNode thinking = m.get("thinking");
            out.add(new Message(role, content, thinking == null || thinking.isNull() ? null : thinking.asText()));
        }
        return out;
    }

    private static List<Message> shareGptMessages(JsonNode list, Path file, long line) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < requireList(list, "conversations", file, line); i++) {
            JsonNode m = list.get(i);
            String where = "conversations[" + i + "]";
            String from = requireText(m, "from", where, file, line);
            String role = SHAREGPT_ROLES.get(from);
            if (role == null) {
                throw new DataFormatException(file, line, where + ".from is '" + from + "'; expected one of "
                        + SHAREGPT_ROLES.keySet().stream().sorted().toList());
            }
            out.add(new Message(role, requireText(m, "value", where, file, line)));
        }
        return out;
    }

    private static int requireList(JsonNode list, String name, Path file, long line) {
        if (!list.isArray()) {
            throw new DataFormatException(file, line, "\"" + name + "\" must be a list");
        }
        if (list.isEmpty()) {
            throw new DataFormatException(file, line, "\"" + name + "\" is empty");
        }
        return list.size();
    }

    private static String requireText(JsonNode m, String key, String where, Path file, long line) {
        if (!m.isObject()) {
            throw new DataFormatException(file, line, where + " must be an object");
        }
        JsonNode v = m.get(key);
        if (v == null || v.isNull()) {
            throw new DataFormatException(file, line, where + " has no \"" + key + "\"");
        }
        if (!v.isTextual()) {
            throw new DataFormatException(file, line, where + "." + key + " must be a string");
        }
        return v.asText();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
