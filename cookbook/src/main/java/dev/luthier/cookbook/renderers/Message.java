package dev.luthier.cookbook.renderers;

import java.util.Objects;

/**
 * One chat message: a role ({@code system}, {@code user}, {@code assistant}, ...), its text, and for assistant
 * messages of reasoning models optionally the reasoning that preceded the answer. An empty {@code thinking} is
 * the same as none and is stored as null.
 */
public record Message(String role, String content, String thinking) {

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (thinking != null && thinking.isEmpty()) {
            thinking = null;
        }
    }

    public Message(String role, String content) {
        this(role, content, null);
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }

    public static Message assistant(String content, String thinking) {
        return new Message("assistant", content, thinking);
    }

    public boolean hasThinking() {
        return thinking != null;
    }
}
