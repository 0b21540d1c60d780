package dev.luthier.cookbook.renderers;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code role_colon}: a plain-text dialogue for base models, which know no chat tokens. Each message is its
 * role with the first letter capitalized, a colon, a space, its content and a blank line:
 * <pre>
 * [BOS]System: You are terse.\n\nUser: What is 2+2?\n\nAssistant: 4\n\n
 * </pre>
 * The generation prompt ends with {@code "Assistant:"}; the model writes {@code " 4\n\nUser:"} and sampling
 * stops at the stop string {@code "\n\nUser:"}, so a parsed reply is the text before it, stripped of
 * surrounding whitespace. A message's body is {@code " {content}\n\n"}; in supervised examples the last message's
 * body also ends with {@code "User:"}, so that the model learns to finish its turn with the stop string. The BOS
 * text is optional (e.g. {@code <|begin_of_text|>} for Llama 3 base models, none for Qwen3). Thinking is not
 * supported.
 */
public final class RoleColonRenderer implements Renderer {

    public static final String STOP = "\n\nUser:";

    private final Tokenizer tokenizer;
    private final String bos;

    /** @param bos text put before the conversation (a BOS token), or null for none */
    public RoleColonRenderer(Tokenizer tokenizer, String bos) {
        this.tokenizer = tokenizer;
        this.bos = bos;
    }

    @Override
    public String name() {
        return "role_colon";
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public List<String> stopStrings() {
        return List.of(STOP);
    }

    private static String roleLabel(String role) {
        return role.isEmpty() ? role : Character.toUpperCase(role.charAt(0)) + role.substring(1) + ":";
    }

    @Override
    public List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt) {
        List<Segment> out = new ArrayList<>();
        if (bos != null && !bos.isEmpty()) {
            out.add(Segment.header(bos, -1));
        }
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.hasThinking()) {
                throw new IllegalArgumentException("role_colon cannot render thinking (message " + i + ")");
            }
            out.add(Segment.header(roleLabel(m.role()), i));
            out.add(Segment.output(" " + m.content() + "\n\n", i));
        }
        if (addGenerationPrompt) {
            out.add(Segment.header(roleLabel("assistant"), -1));
        }
        return out;
    }

    @Override
    public List<Segment> supervisedSegments(List<Message> messages) {
        List<Segment> segments = new ArrayList<>(renderSegments(messages, false));
        Segment last = segments.removeLast();
        segments.add(Segment.output(last.text() + "User:", last.message()));
        return segments;
    }

    @Override
    public ParsedResponse parseResponse(int[] tokens) {
        String text = tokenizer.decode(tokens);
        int stop = text.indexOf(STOP);
        if (stop < 0) {
            return new ParsedResponse(Message.assistant(text.strip()), ParsedResponse.Termination.MALFORMED);
        }
        return new ParsedResponse(Message.assistant(text.substring(0, stop).strip()),
                ParsedResponse.Termination.STOP_SEQUENCE);
    }
}
