package dev.luthier.cookbook.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.cookbook.renderers.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * Conversations as JSON: a list of {@code {"role": ..., "content": ...}} objects (an optional {@code thinking}
 * string), or a bare string standing for one user message.
 */
public final class ChatJson {
    private ChatJson() {
    }

    /** A conversation from a message list or a string (one user message); {@code field} names it in errors. */
    public static List<Message> conversation(JsonNode v, String field) {
        if (v.isTextual()) {
            return List.of(Message.user(v.asText()));
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string or a list of messages, got " + v.getNodeType());
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" has no messages");
        }
        List<Message> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(message(v.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    /** One {@code {"role", "content", "thinking"?}} object. */
    public static Message message(JsonNode v, String field) {
        if (!v.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a message object, got " + v.getNodeType());
        }
        JsonNode role = v.get("role");
        JsonNode content = v.get("content");
        if (role == null || !role.isTextual() || role.asText().isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" needs a \"role\" string");
        }
        if (content == null || !content.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" needs a \"content\" string");
        }
        JsonNode thinking = v.get("thinking");
        if (thinking != null && !thinking.isNull() && !thinking.isTextual()) {
            throw new IllegalArgumentException("\"" + field + ".thinking\" must be a string");
        }
        return new Message(role.asText(), content.asText(), thinking == null || thinking.isNull() ? null : thinking.asText());
    }
}
