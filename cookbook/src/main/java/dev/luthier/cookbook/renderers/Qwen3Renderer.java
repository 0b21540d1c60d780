package dev.luthier.cookbook.renderers;

import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3's ChatML format, token for token what Qwen3's Hugging Face chat template renders:
 * <pre>
 * &lt;|im_start|&gt;system\n{system}&lt;|im_end|&gt;\n
 * &lt;|im_start|&gt;user\n{user}&lt;|im_end|&gt;\n
 * &lt;|im_start|&gt;assistant\n&lt;think&gt;\n{thinking}\n&lt;/think&gt;\n\n{answer}&lt;|im_end|&gt;\n
 * </pre>
 * Thinking is kept only on assistant messages after the last user message: earlier ones lose it (as the
 * template drops past reasoning), and the final assistant message always gets a think block, empty when it
 * has no thinking. An assistant message's thinking is {@link Message#thinking()}, or else a
 * {@code <think>...</think>} prefix of its content. Tool results ({@code tool} messages) render as
 * {@code <tool_response>} blocks in a user turn.
 * <p>
 * {@code qwen3} ({@link #thinking}) leaves the think block to the model: the generation prompt is
 * {@code <|im_start|>assistant\n}. {@code qwen3_disable_thinking} ({@link #disableThinking}) is the template
 * with {@code enable_thinking=false}: the generation prompt ends with an empty think block, which is then part of
 * the prompt (weight 0) in supervised examples too, and messages with thinking are refused.
 * Sampling stops at {@code <|im_end|>}.
 */
public final class Qwen3Renderer implements Renderer {

    public static final String EMPTY_THINK = "<think>\n\n</think>\n\n";

    private final Tokenizer tokenizer;
    private final boolean disableThinking;
    private final int imEnd;

    private Qwen3Renderer(Tokenizer tokenizer, boolean disableThinking) {
        this.tokenizer = tokenizer;
        this.disableThinking = disableThinking;
        this.imEnd = tokenizer.requireTokenId("<|im_end|>");
    }

    /** {@code qwen3}: the model decides whether and how long to think. */
    public static Qwen3Renderer thinking(Tokenizer tokenizer) {
        return new Qwen3Renderer(tokenizer, false);
    }

    /** {@code qwen3_disable_thinking}: an empty think block is prefilled; the model answers directly. */
    public static Qwen3Renderer disableThinking(Tokenizer tokenizer) {
        return new Qwen3Renderer(tokenizer, true);
    }

    @Override
    public String name() {
        return disableThinking ? "qwen3_disable_thinking" : "qwen3";
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public List<Integer> stopTokenIds() {
        return List.of(imEnd);
    }

    /**
     * The system message that offers {@code tools} (OpenAI-style function specs, e.g.
     * {@code {"type": "function", "function": {...}}}) as Qwen3's template writes it when given {@code tools};
     * put it first in the conversation. {@code systemPrompt} (may be null) comes before the tool list.
     */
    public static Message toolsSystemMessage(List<?> tools, String systemPrompt) {
        StringBuilder sb = new StringBuilder();
        if (systemPrompt != null) {
            sb.append(systemPrompt).append("\n\n");
        }
        sb.append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        for (Object tool : tools) {
            sb.append('\n').append(PyJson.dumps(tool));
        }
        sb.append("\n</tools>\n\nFor each function call, return a json object with function name and arguments "
                + "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
                + "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return Message.system(sb.toString());
    }

    private static boolean isToolResponse(String content) {
        return content.startsWith("<tool_response>") && content.endsWith("</tool_response>");
    }

    @Override
    public List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt) {
        List<Segment> out = new ArrayList<>();
        int n = messages.size();
        int lastQuery = n - 1;
        for (int i = n - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if (m.role().equals("user") && !isToolResponse(m.content())) {
                lastQuery = i;
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            Message m = messages.get(i);
            switch (m.role()) {
                case "user", "system" -> {
                    if (m.hasThinking()) {
                        throw new IllegalArgumentException(m.role() + " message " + i + " has thinking");
                    }
                    out.add(Segment.header("<|im_start|>" + m.role() + "\n", i));
                    out.add(Segment.output(m.content() + "<|im_end|>", i));
                    out.add(Segment.header("\n", i));
                }
                case "assistant" -> assistant(out, m, i, i > lastQuery, i == n - 1);
                case "tool" -> {
                    if (i == 0 || !messages.get(i - 1).role().equals("tool")) {
                        out.add(Segment.header("<|im_start|>user", i));
                    }
                    boolean closes = i == n - 1 || !messages.get(i + 1).role().equals("tool");
                    out.add(Segment.output("\n<tool_response>\n" + m.content() + "\n</tool_response>"
                            + (closes ? "<|im_end|>" : ""), i));
                    if (closes) {
                        out.add(Segment.header("\n", i));
                    }
                }
                default -> throw new IllegalArgumentException("qwen3 has no role " + m.role() + " (message " + i + ")");
            }
        }
        if (addGenerationPrompt) {
            out.add(Segment.header("<|im_start|>assistant\n" + (disableThinking ? EMPTY_THINK : ""), -1));
        }
        return out;
    }

    private void assistant(List<Segment> out, Message m, int i, boolean afterLastQuery, boolean last) {
        String content = m.content();
        String reasoning = "";
        if (m.thinking() != null) {
            reasoning = m.thinking();
        } else if (content.contains("</think>")) {
            reasoning = Text.lstrip(Text.afterLast(Text.rstrip(Text.beforeFirst(content, "</think>"), "\n"), "<think>"), "\n");
            content = Text.lstrip(Text.afterLast(content, "</think>"), "\n");
        }
        if (afterLastQuery && (last || !reasoning.isEmpty())) {
            if (disableThinking) {
                if (!Text.strip(reasoning, "\n").isEmpty()) {
                    throw new IllegalArgumentException(name() + " cannot render assistant message " + i
                            + " with thinking; use qwen3");
                }
                out.add(Segment.header("<|im_start|>assistant\n" + EMPTY_THINK, i));
                out.add(Segment.output(Text.lstrip(content, "\n") + "<|im_end|>", i));
            } else {
                out.add(Segment.header("<|im_start|>assistant\n", i));
                out.add(Segment.output("<think>\n" + Text.strip(reasoning, "\n") + "\n</think>\n\n"
                        + Text.lstrip(content, "\n") + "<|im_end|>", i));
            }
        } else {
            out.add(Segment.header("<|im_start|>assistant\n", i));
            out.add(Segment.output(content + "<|im_end|>", i));
        }
        out.add(Segment.header("\n", i));
    }

    /**
     * The sampled text up to {@code <|im_end|>}; for {@code qwen3} a leading {@code <think>...</think>} becomes
     * the message's thinking (an empty one none), as the template would read it back.
     */
    @Override
    public ParsedResponse parseResponse(int[] tokens) {
        DecodedTurn turn = decodeUntilStopToken(tokens);
        String text = turn.text();
        if (!disableThinking && text.contains("</think>")) {
            String thinking = Text.strip(Text.afterLast(Text.beforeFirst(text, "</think>"), "<think>"), "\n");
            String content = Text.lstrip(Text.afterLast(text, "</think>"), "\n");
            return new ParsedResponse(Message.assistant(content, thinking), turn.termination());
        }
        return new ParsedResponse(Message.assistant(text), turn.termination());
    }
}
