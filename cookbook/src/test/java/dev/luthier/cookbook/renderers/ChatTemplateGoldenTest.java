package dev.luthier.cookbook.renderers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of ../shared/chat-templates/rendered-*.json (chat templates rendered by Python's jinja2): the
 * renderer reproduces the rendered string exactly, and its token ids equal the recorded ones (those of
 * {@code @lenml/tokenizers}) when the real tokenizer is at hand.
 */
class ChatTemplateGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATES = TestTokenizers.SHARED.resolve("chat-templates");
    private static final List<String> FILES = List.of("rendered-qwen3.json", "rendered-llama3.json",
            "rendered-llama-3.1.json", "rendered-llama-3.2.json");

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String f : FILES) {
            Path p = TEMPLATES.resolve(f);
            if (!Files.isRegularFile(p)) {
                out.add(Arguments.of(f, "(missing)", null));
                continue;
            }
            JsonNode root = JSON.readTree(p.toFile());
            root.get("cases").properties().forEach(e -> out.add(Arguments.of(f, e.getKey(), e.getValue())));
        }
        return out.stream();
    }

    /** A renderer that only lays out text, for the Llama cases when the Llama tokenizer cannot be had. */
    private static final Tokenizer TEXT_ONLY = new ToyTokenizer();

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reproducesTheTemplate(String file, String name, JsonNode c) {
        Assumptions.assumeTrue(c != null, () -> "no " + TEMPLATES.resolve(file));
        JsonNode in = c.get("inputs");
        List<Message> messages = new ArrayList<>();
        for (JsonNode m : in.get("messages")) {
            messages.add(new Message(m.get("role").asText(), m.get("content").asText()));
        }
        boolean addGen = in.get("add_generation_prompt").asBoolean();
        boolean enableThinking = !in.has("enable_thinking") || in.get("enable_thinking").asBoolean();
        List<?> tools = in.has("tools") ? JSON.convertValue(in.get("tools"), List.class) : null;
        String date = in.get("date_string").asText();
        String expected = c.get("rendered").asText();

        Tokenizer tokenizer;
        Renderer renderer;
        switch (file) {
            case "rendered-qwen3.json" -> {
                Assumptions.assumeTrue(TestTokenizers.QWEN3 != null, TestTokenizers.qwen3Missing);
                tokenizer = TestTokenizers.QWEN3;
                renderer = enableThinking ? Qwen3Renderer.thinking(tokenizer) : Qwen3Renderer.disableThinking(tokenizer);
                if (tools != null) {
                    String system = null;
                    if (messages.getFirst().role().equals("system")) {
                        system = messages.removeFirst().content();
                    }
                    messages.addFirst(Qwen3Renderer.toolsSystemMessage(tools, system));
                }
            }
            case "rendered-llama3.json" -> {
                tokenizer = TestTokenizers.LLAMA3 != null ? TestTokenizers.LLAMA3 : TEXT_ONLY;
                renderer = Llama3Renderer.llama3(tokenizer);
                // This (lenml's Llama 3) template ignores tools and enable_thinking, and appends the
                // assistant header even when add_generation_prompt is false.
                addGen = true;
            }
            default -> {
                tokenizer = TestTokenizers.LLAMA3 != null ? TestTokenizers.LLAMA3 : TEXT_ONLY;
                renderer = tools != null ? Llama3Renderer.withDateHeaderAndTools(tokenizer, date, tools)
                        : Llama3Renderer.withDateHeader(tokenizer, date);
            }
        }

        assertThat(renderer.render(messages, addGen)).isEqualTo(expected);

        Assumptions.assumeTrue(tokenizer != TEXT_ONLY, TestTokenizers.llama3Missing);
        int[] expectedIds = JSON.convertValue(c.get("token_ids_lenml"), int[].class);
        assertThat(tokenizer.encode(expected)).as("the tokenizer itself").containsExactly(expectedIds);
        int[] ids = addGen ? renderer.buildGenerationPrompt(messages)
                : renderer.encode(renderer.renderSegments(messages, false));
        assertThat(ids).as("segment-wise tokens").containsExactly(expectedIds);
        if (!addGen && messages.getLast().role().equals("assistant")) {
            SupervisedExample ex = renderer.buildSupervisedExample(messages, TrainOn.ALL_TOKENS);
            assertThat(ex.tokens()).containsExactly(expectedIds);
        }
    }
}
