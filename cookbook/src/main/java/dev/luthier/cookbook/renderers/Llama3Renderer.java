package dev.luthier.cookbook.renderers;

import java.util.ArrayList;
import java.util.List;

/**
 * Llama 3's chat format:
 * <pre>
 * &lt;|begin_of_text|&gt;&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content}&lt;|eot_id|&gt;...
 * </pre>
 * with every message's content trimmed of surrounding whitespace, as the Hugging Face templates do. The plain
 * form ({@link #llama3}, registry name {@code llama3}, as the cookbook's) is the Llama 3 Instruct template.
 * {@link #withDateHeader} is the Llama 3.1/3.2 Instruct template: it always opens with a system
 * turn whose text starts {@code "Cutting Knowledge Date: December 2023\nToday Date: {date}\n\n"}, followed by
 * the conversation's system message if it has one. That preamble is header (weight 0); only the system
 * message's own text is its body. {@link #withDateHeaderAndTools} adds that template's custom tools in their
 * default place, the first user message: the preamble gains {@code "Environment: ipython\n"} and the first user
 * message's body starts with the instructions and each tool as 4-space-indented JSON (tool-call and tool-result
 * messages are not supported yet). Sampling stops at {@code <|eot_id|>}. Llama 3 does not think: messages with
 * thinking are refused.
 */
public final class Llama3Renderer implements Renderer {

    public static final String BOS = "<|begin_of_text|>";
    public static final String KNOWLEDGE_CUTOFF = "December 2023";

    private final Tokenizer tokenizer;
    private final String dateString;
    private final List<?> tools;
    private final int eot;

    private Llama3Renderer(Tokenizer tokenizer, String dateString, List<?> tools) {
        this.tokenizer = tokenizer;
        this.dateString = dateString;
        this.tools = tools;
        this.eot = tokenizer.requireTokenId("<|eot_id|>");
    }

    /** {@code llama3}: no system preamble. */
    public static Llama3Renderer llama3(Tokenizer tokenizer) {
        return new Llama3Renderer(tokenizer, null, null);
    }

    /** Llama 3.1/3.2's format with "Today Date: {dateString}" (the templates' default is "26 Jul 2024"). */
    public static Llama3Renderer withDateHeader(Tokenizer tokenizer, String dateString) {
        return new Llama3Renderer(tokenizer, java.util.Objects.requireNonNull(dateString, "dateString"), null);
    }

    /**
     * Llama 3.1/3.2's format offering {@code tools} (OpenAI-style function specs) in the first user message, as
     * the template does with {@code tools} given and {@code tools_in_user_message} left at its default.
     */
    public static Llama3Renderer withDateHeaderAndTools(Tokenizer tokenizer, String dateString, List<?> tools) {
        return new Llama3Renderer(tokenizer, java.util.Objects.requireNonNull(dateString, "dateString"),
                List.copyOf(tools));
    }

    @Override
    public String name() {
        return "llama3";
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public List<Integer> stopTokenIds() {
        return List.of(eot);
    }

    private static String header(String role) {
        return "<|start_header_id|>" + role + "<|end_header_id|>\n\n";
    }

    @Override
    public List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt) {
        List<Segment> out = new ArrayList<>();
        out.add(Segment.header(BOS, -1));
        int start = 0;
        if (dateString != null) {
            String preamble = header("system") + (tools != null ? "Environment: ipython\n" : "")
                    + "Cutting Knowledge Date: " + KNOWLEDGE_CUTOFF + "\nToday Date: " + dateString + "\n\n";
            if (!messages.isEmpty() && messages.getFirst().role().equals("system")) {
                out.add(Segment.header(preamble, 0));
                out.add(Segment.output(body(messages.getFirst(), 0) + "<|eot_id|>", 0));
                start = 1;
            } else {
                out.add(Segment.header(preamble + "<|eot_id|>", -1));
            }
        }
        for (int i = start; i < messages.size(); i++) {
            Message m = messages.get(i);
            String text = body(m, i);
            if (tools != null && i == start) {
                if (!m.role().equals("user")) {
                    throw new IllegalArgumentException("tools go in the first user message, but message " + i
                            + " is " + m.role() + "'s");
                }
                StringBuilder sb = new StringBuilder("Given the following functions, please respond with a JSON for "
                        + "a function call with its proper arguments that best answers the given prompt.\n\n"
                        + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument "
                        + "name and its value}.Do not use variables.\n\n");
                for (Object tool : tools) {
                    sb.append(PyJson.dumps(tool, 4)).append("\n\n");
                }
                text = sb + text;
            }
            out.add(Segment.header(header(m.role()), i));
            out.add(Segment.output(text + "<|eot_id|>", i));
        }
        if (tools != null && messages.size() <= start) {
            throw new IllegalArgumentException("tools go in the first user message, and there is none");
        }
        if (addGenerationPrompt) {
            out.add(Segment.header(header("assistant"), -1));
        }
        return out;
    }

    private static String body(Message m, int i) {
        if (m.hasThinking()) {
            throw new IllegalArgumentException("llama3 cannot render thinking (message " + i + ")");
        }
        return m.content().strip();
    }

    /** The sampled text up to {@code <|eot_id|>}, as it is. */
    @Override
    public ParsedResponse parseResponse(int[] tokens) {
        DecodedTurn turn = decodeUntilStopToken(tokens);
        return new ParsedResponse(Message.assistant(turn.text()), turn.termination());
    }
}
