package dev.luthier.cookbook.renderers;

import java.util.List;

/** Renderers by their cookbook registry names. */
public final class Renderers {

    public static final List<String> NAMES = List.of("qwen3", "qwen3_disable_thinking", "llama3", "role_colon");

    private Renderers() {
    }

    /**
     * The renderer called {@code name} over {@code tokenizer}. {@code role_colon} gets the BOS text
     * {@code <|begin_of_text|>} when the tokenizer has that token (Llama 3) and none otherwise.
     */
    public static Renderer create(String name, Tokenizer tokenizer) {
        return switch (name) {
            case "qwen3" -> Qwen3Renderer.thinking(tokenizer);
            case "qwen3_disable_thinking" -> Qwen3Renderer.disableThinking(tokenizer);
            case "llama3" -> Llama3Renderer.llama3(tokenizer);
            case "role_colon" -> new RoleColonRenderer(tokenizer,
                    tokenizer.tokenId(Llama3Renderer.BOS) >= 0 ? Llama3Renderer.BOS : null);
            default -> throw new IllegalArgumentException("no renderer " + name + "; there are " + NAMES);
        };
    }
}
