package dev.luthier.cookbook.distill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cookbook.preferences.ChatJson;
import dev.luthier.cookbook.renderers.Message;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Prompts for on-policy training from JSONL (plain or {@code .gz}): per line {@code {"prompt": "text" | [messages]}}
 * or {@code {"messages": [messages]}}; a conversation's trailing assistant message is dropped (the student writes its
 * own). A line that cannot be read is an error naming the file and the line.
 */
public final class PromptDatasets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptDatasets() {
    }

    public static List<List<Message>> load(Path file) {
        List<List<Message>> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(parseLine(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompts " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no prompts");
        }
        return out;
    }

    /** One line as a prompt conversation. */
    public static List<Message> parseLine(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String field = node.has("prompt") ? "prompt" : node.has("messages") ? "messages" : null;
        if (field == null) {
            throw new IllegalArgumentException("expected \"prompt\" or \"messages\"");
        }
        List<Message> messages = new ArrayList<>(ChatJson.conversation(node.get(field), field));
        if (messages.getLast().role().equals("assistant")) {
            messages.removeLast();
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" has no message before the assistant's reply");
        }
        return List.copyOf(messages);
    }
}
