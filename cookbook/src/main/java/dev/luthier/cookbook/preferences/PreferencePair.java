package dev.luthier.cookbook.preferences;

import dev.luthier.cookbook.renderers.Message;

import java.util.List;
import java.util.Objects;

/**
 * One comparison for preference training: a conversation so far ({@code prompt}, ending where the assistant is to
 * speak) and two assistant replies to it, the preferred one ({@code chosen}) and the other ({@code rejected}).
 */
public record PreferencePair(List<Message> prompt, Message chosen, Message rejected) {

    public PreferencePair {
        prompt = List.copyOf(prompt);
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("a preference pair needs a prompt of at least one message");
        }
        if (!chosen.role().equals("assistant") || !rejected.role().equals("assistant")) {
            throw new IllegalArgumentException("chosen and rejected must be assistant messages, got "
                    + chosen.role() + " and " + rejected.role());
        }
    }

    /** The prompt followed by the chosen reply. */
    public List<Message> chosenConversation() {
        return append(chosen);
    }

    /** The prompt followed by the rejected reply. */
    public List<Message> rejectedConversation() {
        return append(rejected);
    }

    private List<Message> append(Message reply) {
        var out = new java.util.ArrayList<>(prompt);
        out.add(reply);
        return List.copyOf(out);
    }
}
