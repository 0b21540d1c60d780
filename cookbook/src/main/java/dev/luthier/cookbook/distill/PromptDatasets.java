package dev.luthier.cookbook.distill;

import dev.luthier.cookbook.data.JsonLines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cookbook.data.ConversationFiles;
import dev.luthier.cookbook.data.DataFormatException;
import dev.luthier.cookbook.preferences.ChatJson;
import dev.luthier.cookbook.renderers.Message;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts for on-policy training from JSONL (plain or {@code .gz}): per line {@code {"prompt": "text" | [messages]}},
 * or a chat record as {@link ConversationFiles} reads it ({@code {"messages": [...]}} or ShareGPT's
 * {@code {"conversations": [...]}}); a conversation's trailing assistant message is dropped (the student writes its
 * own). A line that cannot be read is an error naming the file and the line.
 */
public final class PromptDatasets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptDatasets() {
    }

    public static List<List<Message>> load(Path file) {
        List<List<Message>> out = new ArrayList<>();
        JsonLines.forEach(file, "prompts", (line, number) -> out.add(parseLine(line, file, number)));
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no prompts");
        }
        return out;
    }

    /** Line {@code number} of {@code file} as a prompt conversation; {@code file} and {@code number} name it in errors. */
    public static List<Message> parseLine(String line, Path file, long number) {
        return conversation(object(line, file, number), file, number);
    }

    /** Line {@code number} of {@code file} as a JSON object, or an error naming the file and the line. */
    public static ObjectNode object(String line, Path file, long number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, number, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new DataFormatException(file, number, "expected a JSON object");
        }
        return object;
    }

    /**
     * A record ({@code {"prompt": ...}}, {@code {"messages": ...}} or {@code {"conversations": ...}}) as a prompt
     * conversation, without a trailing assistant message; {@code file} and {@code number} name it in errors.
     */
    public static List<Message> conversation(JsonNode node, Path file, long number) {
        List<Message> messages;
        if (node.has("prompt")) {
            try {
                messages = new ArrayList<>(ChatJson.conversation(node.get("prompt"), "prompt"));
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, number, e.getMessage());
            }
        } else if (node.has("messages") || node.has("conversations")) {
            messages = new ArrayList<>(ConversationFiles.conversation(node, file, number).messages());
        } else {
            throw new DataFormatException(file, number, "expected \"prompt\", \"messages\" or \"conversations\"");
        }
        if (messages.getLast().role().equals("assistant")) {
            messages.removeLast();
        }
        if (messages.isEmpty()) {
            throw new DataFormatException(file, number, "no message before the assistant's reply");
        }
        return List.copyOf(messages);
    }
}
