package dev.luthier.cookbook.data;

import dev.luthier.cookbook.renderers.Message;

import java.util.List;

/**
 * One chat conversation of a data set: its messages in order, and where it came from ({@code file:line}) so that a
 * problem found later (a renderer refusing it) can name its source.
 */
public record Conversation(List<Message> messages, String source) {

    public Conversation {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException((source == null ? "" : source + ": ") + "a conversation needs at least one message");
        }
    }

    public Conversation(List<Message> messages) {
        this(messages, null);
    }
}
