package dev.luthier.cli.basemodel;

import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.TrainOn;
import dev.luthier.engine.tokenizer.HfTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tokenizer the demo writes, run by Hugging Face's tokenizers library through DJL. */
class ByteLevelBpeTest {
    private static final List<String> SPECIAL = List.of("<|begin_of_text|>", "<|end_of_text|>");

    private static HfTokenizer write(Path dir, ByteLevelBpe bpe) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(bpe.tokenizerJson()));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|end_of_text|>\"}");
        return HfTokenizer.open(file);
    }

    private static ByteLevelBpe trainOnStories() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            texts.add("Question: Tom has " + i + " apples and buys 3 more. How many apples does Tom have now?\nAnswer: "
                    + i + " + 3 = " + (i + 3) + "\n");
            texts.add("User: Anna had 9 pears.\n\nAssistant: 9 - 2 = 7\n\nUser:");
        }
        return ByteLevelBpe.train(texts, 200, SPECIAL);
    }

    @Test
    void frequentWordsBecomeOneTokenAndDigitsStayApart(@TempDir Path dir) throws Exception {
        ByteLevelBpe bpe = trainOnStories();
        try (HfTokenizer t = write(dir, bpe)) {
            // Byte-level symbols: the space is "Ġ" (U+0120), the newline "Ċ" (U+010A), as in GPT-2.
            assertThat(t.encode(" apples", false)).containsExactly(t.tokenId("Ġapples"));
            assertThat(t.encode("Question", false)).containsExactly(t.tokenId("Question"));
            assertThat(t.encode(" 13", false)).containsExactly(t.tokenId("Ġ"), t.tokenId("1"), t.tokenId("3"));
            assertThat(t.encode("\n\n", false)).containsExactly(t.tokenId("Ċ"), t.tokenId("Ċ"));
            // Ids: the 256 byte symbols first, in byte order (the id of a byte is its value), then the merges, then
            // the special tokens.
            assertThat(t.tokenId("A")).isEqualTo((int) 'A');
            assertThat(t.tokenId("\u0120")).isEqualTo((int) ' ');
            assertThat(t.tokenId("\u010A")).isEqualTo((int) '\n');
            assertThat(t.encode("<|end_of_text|>", false)).containsExactly(bpe.vocab().size() + 1);
            assertThat(t.eosTokenId()).isEqualTo(bpe.vocab().size() + 1);
            assertThat(t.vocabSize()).isEqualTo(bpe.size());
        }
    }

    @Test
    void anyTextRoundTrips(@TempDir Path dir) throws Exception {
        try (HfTokenizer t = write(dir, trainOnStories())) {
            for (String text : List.of("Tom has 7 apples and buys 5 more.", "  two  spaces\tand a tab\n\n\n",
                    "Zebra-42 unseen words, ünïcödé and emoji \uD83C\uDFBB!", "9 * 7 = 63", "",
                    "<|begin_of_text|>User: hi\n\nAssistant: 1 + 1 = 2\n\nUser:")) {
                int[] ids = t.encode(text, false);
                assertThat(t.decode(ids, false)).isEqualTo(text);
            }
        }
    }

    @Test
    void roleColonRenderingTokenizesTheSameWholeOrInSegments(@TempDir Path dir) throws Exception {
        try (HfTokenizers.Adapter tokenizer = HfTokenizers.wrap(write(dir, trainOnStories()))) {
            Renderer r = Renderers.create("role_colon", tokenizer);
            List<Message> chat = List.of(Message.user("Tom has 7 apples and buys 5 more. How many apples does Tom have now?"),
                    Message.assistant("7 + 5 = 12"));
            var example = r.buildSupervisedExample(chat, TrainOn.LAST_ASSISTANT_MESSAGE);
            String whole = r.render(chat, false) + "User:";
            assertThat(example.tokens()).containsExactly(tokenizer.encode(whole));
            assertThat(whole).startsWith("<|begin_of_text|>User: Tom has 7");
            // What the model is taught to write after "Assistant:" parses back to the answer, stopped.
            ParsedResponse parsed = r.parseResponse(tokenizer.encode(" 7 + 5 = 12\n\nUser:"));
            assertThat(parsed.message().content()).isEqualTo("7 + 5 = 12");
            assertThat(parsed.stopped()).isTrue();
        }
    }

    @Test
    void trainingIsDeterministicAndStopsWhenNoPairRepeats() {
        ByteLevelBpe a = trainOnStories();
        ByteLevelBpe b = trainOnStories();
        assertThat(a.vocab()).isEqualTo(b.vocab());
        ByteLevelBpe once = ByteLevelBpe.train(List.of("xyzzy"), 100, SPECIAL);
        assertThat(once.merges()).isEmpty();
        ByteLevelBpe twice = ByteLevelBpe.train(List.of("ab ab"), 100, SPECIAL);
        // "ab" and " ab" are different words; the pair a+b occurs twice, Ġ+a once.
        assertThat(twice.merges()).extracting(p -> p[0] + "+" + p[1]).containsExactly("a+b");
    }
}
