package dev.luthier.cookbook.renderers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Round trips (supervised example → sampled part → parsed message) and loss weights per {@link TrainOn}, for
 * every renderer over the real tokenizers (when available) and over {@link ToyTokenizer}. Weights are checked by
 * decoding each run of weight-1 tokens and comparing the texts with what the mode should select.
 */
class RendererBehaviourTest {

    static final List<Message> CHAT = List.of(
            Message.system("You are terse."),
            Message.user("What is 2+2?"),
            Message.assistant("2+2 = 4."),
            Message.user("And 3+3?"),
            Message.assistant("3+3 = 6."));

    static final List<Message> THINKING_CHAT = List.of(
            Message.user("What is 2+2?"),
            Message.assistant("2+2 = 4.", "Two and two make four."),
            Message.user("And 3+3?"),
            Message.assistant("3+3 = 6.", "Three and three\nmake six."));

    /** A renderer under test and the weighted texts of {@link #CHAT} it must select per mode. */
    record Case(String label, Renderer renderer, Map<TrainOn, List<String>> chatWeights) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Case> renderers() {
        List<Case> out = new ArrayList<>();
        List<Map.Entry<String, Tokenizer>> tokenizers = new ArrayList<>();
        tokenizers.add(Map.entry("toy", new ToyTokenizer()));
        if (TestTokenizers.QWEN3 != null) {
            tokenizers.add(Map.entry("qwen3-tokenizer", TestTokenizers.QWEN3));
        }
        if (TestTokenizers.LLAMA3 != null) {
            tokenizers.add(Map.entry("llama3-tokenizer", TestTokenizers.LLAMA3));
        }
        for (var t : tokenizers) {
            Tokenizer tok = t.getValue();
            boolean qwen = tok.tokenId("<|im_end|>") >= 0;
            boolean llama = tok.tokenId("<|eot_id|>") >= 0;
            if (qwen) {
                out.add(new Case("qwen3/" + t.getKey(), Renderers.create("qwen3", tok), weights(
                        s -> s + "<|im_end|>", "<think>\n\n</think>\n\n")));
                out.add(new Case("qwen3_disable_thinking/" + t.getKey(), Renderers.create("qwen3_disable_thinking", tok),
                        weights(s -> s + "<|im_end|>", "")));
            }
            if (llama) {
                out.add(new Case("llama3/" + t.getKey(), Renderers.create("llama3", tok),
                        weights(s -> s + "<|eot_id|>", "")));
                out.add(new Case("llama3.1-dated/" + t.getKey(), Llama3Renderer.withDateHeader(tok, "26 Jul 2024"),
                        weights(s -> s + "<|eot_id|>", "")));
            }
            Map<TrainOn, List<String>> rc = Map.of(
                    TrainOn.LAST_ASSISTANT_MESSAGE, List.of(" 3+3 = 6.\n\nUser:"),
                    TrainOn.ALL_ASSISTANT_MESSAGES, List.of(" 2+2 = 4.\n\n", " 3+3 = 6.\n\nUser:"),
                    TrainOn.ALL_MESSAGES, List.of(" You are terse.\n\n", " What is 2+2?\n\n", " 2+2 = 4.\n\n",
                            " And 3+3?\n\n", " 3+3 = 6.\n\nUser:"));
            out.add(new Case("role_colon/" + t.getKey(), Renderers.create("role_colon", tok), rc));
        }
        return out.stream();
    }

    private static Map<TrainOn, List<String>> weights(Function<String, String> body, String lastPrefix) {
        return Map.of(
                TrainOn.LAST_ASSISTANT_MESSAGE, List.of(body.apply(lastPrefix + "3+3 = 6.")),
                TrainOn.ALL_ASSISTANT_MESSAGES, List.of(body.apply("2+2 = 4."), body.apply(lastPrefix + "3+3 = 6.")),
                TrainOn.ALL_MESSAGES, List.of(body.apply("You are terse."), body.apply("What is 2+2?"),
                        body.apply("2+2 = 4."), body.apply("And 3+3?"), body.apply(lastPrefix + "3+3 = 6.")));
    }

    /** The texts of the maximal runs of weight-1 tokens. */
    static List<String> weightedRuns(Tokenizer tokenizer, SupervisedExample ex) {
        List<String> runs = new ArrayList<>();
        int i = 0;
        while (i < ex.length()) {
            if (ex.weights()[i] == 0f) {
                i++;
                continue;
            }
            int j = i;
            while (j < ex.length() && ex.weights()[j] != 0f) {
                assertThat(ex.weights()[j]).isEqualTo(1f);
                j++;
            }
            runs.add(tokenizer.decode(Arrays.copyOfRange(ex.tokens(), i, j)));
            i = j;
        }
        return runs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderers")
    void weightsSelectExactlyTheIntendedTokens(Case c) {
        Renderer r = c.renderer();
        for (TrainOn mode : List.of(TrainOn.LAST_ASSISTANT_MESSAGE, TrainOn.ALL_ASSISTANT_MESSAGES, TrainOn.ALL_MESSAGES)) {
            SupervisedExample ex = r.buildSupervisedExample(CHAT, mode);
            assertThat(weightedRuns(r.tokenizer(), ex)).as(mode.toString()).isEqualTo(c.chatWeights().get(mode));
        }
        SupervisedExample all = r.buildSupervisedExample(CHAT, TrainOn.ALL_TOKENS);
        assertThat(all.weightedTokens()).containsExactly(all.tokens());
        assertThat(r.tokenizer().decode(all.tokens())).isEqualTo(
                r.render(CHAT, false)
                        + (r instanceof RoleColonRenderer ? "User:" : ""));
        // Tokenizing segment by segment gives the tokens of the whole text.
        String suffix = r instanceof RoleColonRenderer ? "User:" : "";
        assertThat(r.tokenizer().encode(r.render(CHAT, false) + suffix)).containsExactly(all.tokens());
        assertThat(r.tokenizer().encode(r.render(CHAT.subList(0, 4), true)))
                .containsExactly(r.buildGenerationPrompt(CHAT.subList(0, 4)));
        if (r.name().equals("qwen3")) {
            assertThat(r.tokenizer().encode(r.render(THINKING_CHAT, false)))
                    .containsExactly(r.buildSupervisedExample(THINKING_CHAT, TrainOn.ALL_TOKENS).tokens());
        }
        // Every mode tokenizes the conversation the same way.
        assertThat(r.buildSupervisedExample(CHAT, TrainOn.LAST_ASSISTANT_MESSAGE).tokens()).containsExactly(all.tokens());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderers")
    void supervisedExampleExtendsTheGenerationPromptAndParsesBack(Case c) {
        Renderer r = c.renderer();
        List<List<Message>> conversations = new ArrayList<>(List.of(CHAT, CHAT.subList(1, 3)));
        if (r.name().equals("qwen3")) {
            conversations.add(THINKING_CHAT);
        }
        for (List<Message> conversation : conversations) {
            Message reply = conversation.getLast();
            SupervisedExample ex = r.buildSupervisedExample(conversation, TrainOn.LAST_ASSISTANT_MESSAGE);
            int[] prompt = r.buildGenerationPrompt(conversation.subList(0, conversation.size() - 1));
            assertThat(Arrays.copyOf(ex.tokens(), prompt.length)).as("the prompt is a prefix").containsExactly(prompt);
            int[] sampled = ex.weightedTokens();
            assertThat(Arrays.copyOfRange(ex.tokens(), prompt.length, prompt.length + sampled.length))
                    .as("the trained tokens follow the prompt").containsExactly(sampled);

            ParsedResponse parsed = r.parseResponse(sampled);
            assertThat(parsed.message()).isEqualTo(reply);
            assertThat(parsed.termination()).isEqualTo(ParsedResponse.Termination.STOP_SEQUENCE);

            // Whatever the sampler returns after the stop does not change the message.
            int[] more = r.tokenizer().encode("\nextra text");
            int[] longer = Arrays.copyOf(sampled, sampled.length + more.length);
            System.arraycopy(more, 0, longer, sampled.length, more.length);
            assertThat(r.parseResponse(longer).message()).isEqualTo(reply);
        }
        ParsedResponse cut = r.parseResponse(r.tokenizer().encode("3+3 ="));
        assertThat(cut.termination()).isEqualTo(ParsedResponse.Termination.MALFORMED);
        assertThat(cut.message().content()).isEqualTo("3+3 =");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderers")
    void refusals(Case c) {
        Renderer r = c.renderer();
        assertThatThrownBy(() -> r.buildSupervisedExample(CHAT.subList(0, 4), TrainOn.LAST_ASSISTANT_MESSAGE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LAST_ASSISTANT_MESSAGE");
        if (!r.name().equals("qwen3")) {
            assertThatThrownBy(() -> r.buildSupervisedExample(THINKING_CHAT, TrainOn.LAST_ASSISTANT_MESSAGE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thinking");
        }
    }

    @Test
    void qwen3KeepsOnlyTheLatestThinking() {
        Renderer r = Qwen3Renderer.thinking(new ToyTokenizer());
        SupervisedExample ex = r.buildSupervisedExample(THINKING_CHAT, TrainOn.ALL_ASSISTANT_MESSAGES);
        assertThat(weightedRuns(r.tokenizer(), ex)).containsExactly("2+2 = 4.<|im_end|>",
                "<think>\nThree and three\nmake six.\n</think>\n\n3+3 = 6.<|im_end|>");
        assertThat(r.render(THINKING_CHAT.subList(0, 3), true)).isEqualTo(
                "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n2+2 = 4.<|im_end|>\n"
                        + "<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwen3ReadsThinkTagsInContentAsTheTemplateDoes() {
        Renderer r = Qwen3Renderer.thinking(new ToyTokenizer());
        List<Message> inline = List.of(Message.user("Q"), Message.assistant("<think>\nwhy\n</think>\n\nA"));
        assertThat(r.render(inline, false)).isEqualTo(
                "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nwhy\n</think>\n\nA<|im_end|>\n");
        assertThat(r.parseResponse(r.tokenizer().encode("<think>\nwhy\n</think>\n\nA<|im_end|>")).message())
                .isEqualTo(Message.assistant("A", "why"));
    }

    @Test
    void qwen3ToolResultsAreUserTurns() {
        // As in the template: tool results are not queries, so the assistant turn before them is "after the
        // last query", but it is not the last message and has no thinking, so it gets no think block.
        Renderer r = Qwen3Renderer.thinking(new ToyTokenizer());
        List<Message> chat = List.of(Message.user("Weather?"), Message.assistant("Let me look."),
                new Message("tool", "sunny"), new Message("tool", "22C"));
        assertThat(r.render(chat, true)).isEqualTo("<|im_start|>user\nWeather?<|im_end|>\n"
                + "<|im_start|>assistant\nLet me look.<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<tool_response>\n22C\n</tool_response>"
                + "<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void stopSequences() {
        Tokenizer toy = new ToyTokenizer();
        assertThat(Renderers.create("qwen3", toy).stopTokenIds()).containsExactly(toy.tokenId("<|im_end|>"));
        assertThat(Renderers.create("llama3", toy).stopTokenIds()).containsExactly(toy.tokenId("<|eot_id|>"));
        assertThat(Renderers.create("role_colon", toy).stopStrings()).containsExactly("\n\nUser:");
        assertThat(Renderers.create("role_colon", toy).stopTokenIds()).isEmpty();
        if (TestTokenizers.QWEN3 != null) {
            assertThat(Renderers.create("qwen3", TestTokenizers.QWEN3).stopTokenIds()).containsExactly(151645);
        }
        if (TestTokenizers.LLAMA3 != null) {
            assertThat(Renderers.create("llama3", TestTokenizers.LLAMA3).stopTokenIds()).containsExactly(128009);
        }
        assertThatThrownBy(() -> Renderers.create("nope", toy)).hasMessageContaining("qwen3");
    }

    @Test
    void roleColonLayout() {
        Renderer r = new RoleColonRenderer(new ToyTokenizer(), null);
        assertThat(r.render(CHAT.subList(0, 2), true))
                .isEqualTo("System: You are terse.\n\nUser: What is 2+2?\n\nAssistant:");
        Renderer withBos = new RoleColonRenderer(new ToyTokenizer(), "<|begin_of_text|>");
        assertThat(withBos.render(CHAT.subList(1, 2), true)).isEqualTo("<|begin_of_text|>User: What is 2+2?\n\nAssistant:");
    }
}
